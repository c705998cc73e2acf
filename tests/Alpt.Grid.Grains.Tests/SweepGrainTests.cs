using Alpt.Grid.Abstractions.Queue;
using Alpt.Grid.Abstractions.Seeds;
using Alpt.Grid.Abstractions.Sweeps;
using Alpt.Grid.Abstractions.Trials;

namespace Alpt.Grid.Grains.Tests;

[Collection(GridClusterCollection.Name)]
public sealed class SweepGrainTests(GridClusterFixture fixture)
{
    private IGrainFactory Grains => fixture.Grains;

    [Fact]
    public async Task An_invalid_spec_is_rejected_and_nothing_is_stored()
    {
        var spec = SpecFixtures.Small("invalid-sweep") with { SourceSets = [["breakout"]], Seeds = [] };
        var sweep = Grains.GetGrain<ISweepGrain>("invalid-sweep");

        var error = await Assert.ThrowsAsync<InvalidSweepSpecException>(() => sweep.Launch(spec));

        Assert.Contains("contains the target 'breakout'", error.Message, StringComparison.Ordinal);
        Assert.Contains("at least one seed is needed", error.Message, StringComparison.Ordinal);
        Assert.Null(await sweep.GetSpec());
        Assert.Equal(SweepState.Unknown, (await sweep.GetStatus()).State);
        Assert.DoesNotContain(await Grains.GetGrain<ISweepRegistryGrain>(0).List(), e => e.SweepId == "invalid-sweep");
        Assert.False(Directory.EnumerateFiles(GridClusterFixture.StateDirectory, "*invalid-sweep*", SearchOption.AllDirectories).Any());
    }

    [Fact]
    public async Task Launching_twice_creates_the_work_once()
    {
        var spec = SpecFixtures.Small("twice");
        var sweep = Grains.GetGrain<ISweepGrain>("twice");
        var queue = Grains.GetGrain<IWorkQueueGrain>(0);
        var queuedBefore = (await queue.GetStats()).Queued;

        var first = await sweep.Launch(spec);
        var second = await sweep.Launch(spec);

        Assert.True(first.Created);
        Assert.False(second.Created);
        Assert.Equal(33, first.Trials);
        var status = await sweep.GetStatus();
        Assert.Equal(33, status.Counts.Total);
        Assert.Equal(33, status.Counts.Queued);
        Assert.Equal(11, status.Experiments);
        Assert.Equal(33, (await queue.GetStats()).Queued - queuedBefore);
        Assert.Contains(await Grains.GetGrain<ISweepRegistryGrain>(0).List(), e => e.SweepId == "twice" && e.Active);

        var different = spec with { Seeds = [0, 1] };
        await Assert.ThrowsAsync<InvalidOperationException>(() => sweep.Launch(different));

        Assert.Equal(33, await sweep.Cancel());
        var cancelled = await sweep.GetStatus();
        Assert.Equal(SweepState.Cancelled, cancelled.State);
        Assert.Equal(33, cancelled.Counts.Cancelled);
    }

    [Fact]
    public async Task A_result_is_accepted_only_from_the_lease_holder_and_recorded_once()
    {
        var sweep = Grains.GetGrain<ISweepGrain>("fencing");
        await sweep.Launch(SpecFixtures.Single("fencing", seeds: 1));
        var assignment = await LeaseSeedOf("fencing");
        var seed = Grains.GetGrain<ISeedGrain>(assignment.SeedId);
        var outcome = new TrialOutcome(new Dictionary<string, double> { ["idm_accuracy"] = 0.8 }, TimeSpan.FromSeconds(1));

        Assert.Equal(ReportVerdict.StaleLease, await seed.Complete(Guid.NewGuid(), outcome));
        Assert.Equal(SeedState.Running, (await seed.GetStatus()).State);
        Assert.Equal(ReportVerdict.Accepted, await seed.Complete(assignment.LeaseToken, outcome));
        Assert.Equal(ReportVerdict.AlreadyRecorded, await seed.Complete(assignment.LeaseToken, outcome));
        Assert.Equal(ReportVerdict.StaleLease, await seed.Fail(assignment.LeaseToken, "late failure"));

        var results = await sweep.GetResults();
        var record = Assert.Single(Assert.Single(results).Seeds);
        Assert.Equal(SeedState.Succeeded, record.State);
        Assert.Equal(0.8, record.Metrics!["idm_accuracy"]);
        Assert.Equal(SweepState.Completed, (await sweep.GetStatus()).State);
    }

    [Fact]
    public async Task Curves_are_stored_with_the_lease_holders_result_once_and_read_back_from_storage()
    {
        var sweep = Grains.GetGrain<ISweepGrain>("curves");
        await sweep.Launch(SpecFixtures.Single("curves", seeds: 1, maxAttempts: 2));
        var experimentId = Assert.Single(await sweep.GetResults()).Id;
        var experiment = Grains.GetGrain<Abstractions.Experiments.IExperimentGrain>(experimentId);
        static TrialOutcome With(string phase, double loss) => new(
            new() { ["normalized_return"] = loss },
            TimeSpan.FromSeconds(1),
            [new TrialCurve(phase, TrialCurves.Loss, [10, 20, 30], [2 * loss, 1.5 * loss, loss]), new TrialCurve("policy", TrialCurves.NormalizedReturn, [30], [loss])]);

        // The first attempt's lease expires; the second attempt's holder is the one whose curves count.
        var first = await LeaseSeedOf("curves");
        Assert.Empty(await experiment.GetCurves());
        GridClusterFixture.Clock.Advance(TimeSpan.FromSeconds(61));
        await Grains.GetGrain<IWorkQueueGrain>(0).ExpireLeases();
        var second = await LeaseSeedOf("curves");
        var seed = Grains.GetGrain<ISeedGrain>(second.SeedId);
        Assert.Equal(ReportVerdict.StaleLease, await seed.Complete(first.LeaseToken, With("curve-of-a-stale-attempt", 0.1)));
        Assert.Equal(ReportVerdict.Accepted, await seed.Complete(second.LeaseToken, With("curve-of-the-holder", 0.5)));
        Assert.Equal(ReportVerdict.AlreadyRecorded, await seed.Complete(second.LeaseToken, With("curve-of-a-retried-report", 0.9)));

        // Read back after every activation is gone: from what storage holds.
        await Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        var stored = Assert.Single(await experiment.GetCurves());
        Assert.Equal(0, stored.Seed);
        Assert.Equal(["curve-of-the-holder loss", "policy normalized_return"], stored.Curves.Select(c => c.Name));
        Assert.Equal([1.0, 0.75, 0.5], stored.Curves[0].Values);
        Assert.Equal([10, 20, 30], stored.Curves[0].Steps);

        // The seed's own state holds them; its experiment's holds only the metrics.
        var files = Directory.EnumerateFiles(GridClusterFixture.StateDirectory, "*", SearchOption.AllDirectories).ToList();
        bool Holds(string file) => System.Text.Encoding.UTF8.GetString(File.ReadAllBytes(file)).Contains("curve-of-the-holder", StringComparison.Ordinal);
        var holder = Assert.Single(files, Holds);
        Assert.Equal("seed", Path.GetFileName(Path.GetDirectoryName(holder)));
        Assert.DoesNotContain(files, f => System.Text.Encoding.UTF8.GetString(File.ReadAllBytes(f)).Contains("curve-of-a-", StringComparison.Ordinal));
    }

    [Fact]
    public void Curves_longer_than_the_bound_are_averaged_down_to_it()
    {
        int[] steps = [.. Enumerable.Range(1, 1000)];
        double[] values = [.. steps.Select(s => (double)s)];

        var bounded = TrialCurves.Bounded("policy", TrialCurves.Loss, steps, values);

        Assert.Equal(TrialCurves.MaxPoints, bounded.Steps.Length);
        Assert.Equal((5, 3.0), (bounded.Steps[0], bounded.Values[0]));
        Assert.Equal((1000, 998.0), (bounded.Steps[^1], bounded.Values[^1]));
        var error = Assert.Throws<ArgumentException>(() => TrialCurves.Bounded("idm", TrialCurves.Loss, [1, 2], [1.0]));
        Assert.Contains("idm loss has 2 steps but 1 values", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_retried_report_reaches_an_experiment_that_missed_the_first()
    {
        var sweep = Grains.GetGrain<ISweepGrain>("missed");
        await sweep.Launch(SpecFixtures.Single("missed", seeds: 2, maxAttempts: 1));
        var experimentId = Assert.Single(await sweep.GetResults()).Id;
        var outcome = new TrialOutcome(new Dictionary<string, double> { ["idm_accuracy"] = 0.6 }, TimeSpan.FromSeconds(1));
        var succeeding = await LeaseSeedOf("missed");
        var failing = await LeaseSeedOf("missed");

        // The seed stores each report, then cannot tell the experiment: the worker sees an error.
        GridClusterFixture.Unreachable[experimentId] = true;
        try
        {
            await Assert.ThrowsAnyAsync<Exception>(() => Grains.GetGrain<ISeedGrain>(succeeding.SeedId).Complete(succeeding.LeaseToken, outcome));
            await Assert.ThrowsAnyAsync<Exception>(() => Grains.GetGrain<ISeedGrain>(failing.SeedId).Fail(failing.LeaseToken, "boom"));
        }
        finally
        {
            GridClusterFixture.Unreachable.TryRemove(experimentId, out _);
        }

        Assert.Equal(SeedState.Succeeded, (await Grains.GetGrain<ISeedGrain>(succeeding.SeedId).GetStatus()).State);
        Assert.Equal(0, (await sweep.GetStatus()).Counts.Finished);

        // The worker's retries are answered "already recorded", and the experiment hears of both now.
        Assert.Equal(ReportVerdict.AlreadyRecorded, await Grains.GetGrain<ISeedGrain>(succeeding.SeedId).Complete(succeeding.LeaseToken, outcome));
        Assert.Equal(ReportVerdict.AlreadyRecorded, await Grains.GetGrain<ISeedGrain>(failing.SeedId).Fail(failing.LeaseToken, "boom"));

        var status = await sweep.GetStatus();
        Assert.Equal((SweepState.Completed, 1, 1), (status.State, status.Counts.Succeeded, status.Counts.Failed));
        var seeds = Assert.Single(await sweep.GetResults()).Seeds;
        Assert.Equal(0.6, seeds.Single(s => s.State == SeedState.Succeeded).Metrics!["idm_accuracy"]);
    }

    [Fact]
    public async Task An_expired_lease_goes_back_to_the_queue_and_the_old_holder_is_fenced_out()
    {
        var sweep = Grains.GetGrain<ISweepGrain>("expiry");
        await sweep.Launch(SpecFixtures.Single("expiry", seeds: 1, maxAttempts: 2));
        var first = await LeaseSeedOf("expiry");
        var seed = Grains.GetGrain<ISeedGrain>(first.SeedId);
        var queue = Grains.GetGrain<IWorkQueueGrain>(0);

        // Within the lease, a heartbeat renews it and nothing expires.
        GridClusterFixture.Clock.Advance(TimeSpan.FromSeconds(20));
        Assert.True(await seed.Heartbeat(first.LeaseToken, new TrialProgress("idm", 5, 10)));
        GridClusterFixture.Clock.Advance(TimeSpan.FromSeconds(20));
        await queue.ExpireLeases();
        Assert.Equal(SeedState.Running, (await seed.GetStatus()).State);

        // Silence past the lease: back to the queue, attempt 1 used up.
        GridClusterFixture.Clock.Advance(TimeSpan.FromSeconds(41));
        Assert.True(await queue.ExpireLeases() >= 1);
        var requeued = await seed.GetStatus();
        Assert.Equal(SeedState.Queued, requeued.State);
        Assert.Contains("lease expired", requeued.LastError, StringComparison.Ordinal);
        Assert.False(await seed.Heartbeat(first.LeaseToken, null));

        var second = await LeaseSeedOf("expiry");
        Assert.Equal(2, second.Attempt);
        Assert.Equal(ReportVerdict.StaleLease, await seed.Complete(first.LeaseToken, new TrialOutcome([], TimeSpan.Zero)));

        // The last attempt expires too: the seed fails with that error.
        GridClusterFixture.Clock.Advance(TimeSpan.FromSeconds(61));
        await queue.ExpireLeases();
        var failed = await seed.GetStatus();
        Assert.Equal(SeedState.Failed, failed.State);
        Assert.Contains("attempt 2", failed.LastError, StringComparison.Ordinal);
        var status = await sweep.GetStatus();
        Assert.Equal(1, status.Counts.Failed);
        Assert.Contains(status.RecentErrors, e => e.Contains("lease expired", StringComparison.Ordinal));

        // Retry-failed gives it fresh attempts.
        Assert.Equal(1, await sweep.RetryFailed());
        var third = await LeaseSeedOf("expiry");
        Assert.Equal(1, third.Attempt);
        Assert.Equal(ReportVerdict.Accepted, await seed.Complete(third.LeaseToken, new TrialOutcome(new() { ["x"] = 1 }, TimeSpan.Zero)));
        Assert.Equal(1, (await sweep.GetStatus()).Counts.Succeeded);
    }

    [Fact]
    public async Task A_moved_seed_grain_gives_its_lease_holder_one_lease_period_to_reach_it()
    {
        var sweep = Grains.GetGrain<ISweepGrain>("moved");
        await sweep.Launch(SpecFixtures.Single("moved", seeds: 1, maxAttempts: 2));
        var lease = await LeaseSeedOf("moved");
        var seed = Grains.GetGrain<ISeedGrain>(lease.SeedId);

        // The lease runs out while the seed is unreachable, then its activation goes (as when its silo dies).
        GridClusterFixture.Clock.Advance(TimeSpan.FromSeconds(90));
        await Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);

        // Its new activation does not call the lease expired at once: the holder had no way to heartbeat.
        var check = await seed.CheckLease();
        Assert.False(check.Expired);
        Assert.Equal(SeedState.Running, check.State);
        Assert.True(await seed.Heartbeat(lease.LeaseToken, new TrialProgress("idm", 1, 2)));

        // A holder that stays silent for a lease period after that loses it, and the attempt counts. (The
        // queue partition was collected too: its new activation tracks the lease once the sweep resumes.)
        GridClusterFixture.Clock.Advance(TimeSpan.FromSeconds(61));
        var queue = Grains.GetGrain<IWorkQueueGrain>(0);
        for (var i = 0; i < 100 && (await seed.GetStatus()).State == SeedState.Running; i++)
        {
            await queue.ExpireLeases();
            await Task.Delay(50);
        }

        var expired = await seed.GetStatus();
        Assert.Equal(SeedState.Queued, expired.State);
        Assert.Contains("lease expired", expired.LastError, StringComparison.Ordinal);
        Assert.Equal(ReportVerdict.StaleLease, await seed.Complete(lease.LeaseToken, new TrialOutcome([], TimeSpan.Zero)));
        var again = await LeaseSeedOf("moved");
        Assert.Equal(2, again.Attempt);
        Assert.Equal(ReportVerdict.Accepted, await seed.Complete(again.LeaseToken, new TrialOutcome(new() { ["x"] = 1 }, TimeSpan.Zero)));
    }

    [Fact]
    public async Task Failures_are_retried_up_to_the_limit_then_the_last_error_is_kept()
    {
        var sweep = Grains.GetGrain<ISweepGrain>("failing");
        await sweep.Launch(SpecFixtures.Single("failing", seeds: 1, maxAttempts: 2));

        var first = await LeaseSeedOf("failing");
        var seed = Grains.GetGrain<ISeedGrain>(first.SeedId);
        Assert.Equal(ReportVerdict.Accepted, await seed.Fail(first.LeaseToken, "boom 1"));
        Assert.Equal(SeedState.Queued, (await seed.GetStatus()).State);
        var second = await LeaseSeedOf("failing");
        Assert.Equal(ReportVerdict.Accepted, await seed.Fail(second.LeaseToken, "boom 2"));

        var status = await seed.GetStatus();
        Assert.Equal(SeedState.Failed, status.State);
        Assert.Equal(2, status.Attempt);
        Assert.EndsWith("boom 2", status.LastError, StringComparison.Ordinal);
        var record = Assert.Single(Assert.Single(await sweep.GetResults()).Seeds);
        Assert.Equal(SeedState.Failed, record.State);
    }

    [Fact]
    public async Task Experiment_aggregates_metrics_as_results_arrive()
    {
        var sweep = Grains.GetGrain<ISweepGrain>("aggregate");
        await sweep.Launch(SpecFixtures.Single("aggregate", seeds: 3) with { Budgets = [77] });
        double[] values = [0.5, 0.7, 0.9];
        for (var i = 0; i < 3; i++)
        {
            var assignment = await LeaseSeedOf("aggregate");
            var seed = Grains.GetGrain<ISeedGrain>(assignment.SeedId);
            await seed.Complete(assignment.LeaseToken, new TrialOutcome(new() { ["normalized_return"] = values[assignment.Seed] }, TimeSpan.Zero));
        }

        var summary = Assert.Single(await sweep.GetResults());
        var metric = Assert.Single(summary.Metrics);
        Assert.Equal(3, metric.N);
        Assert.Equal(0.7, metric.Mean, 12);
        Assert.Equal(0.2, metric.Std, 12);
        Assert.Equal(0.7 + (4.302653 * 0.2 / Math.Sqrt(3)), metric.CiHigh, 6);
    }

    [Fact]
    public async Task A_queued_seed_runs_even_when_its_unstored_activation_was_collected()
    {
        var sweep = Grains.GetGrain<ISweepGrain>("collected");
        await sweep.Launch(SpecFixtures.Single("collected", seeds: 1));
        var seedId = SweepExpansion.SeedId(Assert.Single(await sweep.GetResults()).Id, 0);
        var stateFiles = Directory.EnumerateFiles(GridClusterFixture.StateDirectory, "*", SearchOption.AllDirectories);
        Assert.DoesNotContain(stateFiles, f => f.Contains(Uri.EscapeDataString(seedId), StringComparison.Ordinal));

        // Deactivate every idle grain except the queue (it is busy only while called, so it may go too:
        // then resuming the sweep rebuilds it): the seed's in-memory definition is gone.
        await Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);

        // A re-activated queue partition asks the registry to resume active sweeps (asynchronously),
        // which queues the seed again: lease until it shows up, as a worker's polling would.
        TrialAssignment? assignment = null;
        for (var i = 0; i < 100 && assignment is null; i++)
        {
            try
            {
                assignment = await LeaseSeedOf("collected");
            }
            catch (Exception e) when (e is Xunit.Sdk.XunitException or InvalidOperationException)
            {
                await Task.Delay(100);
            }
        }

        Assert.NotNull(assignment);
        Assert.Equal(seedId, assignment.SeedId);
        Assert.Equal(1, assignment.Attempt);
        Assert.Equal(ReportVerdict.Accepted, await Grains.GetGrain<ISeedGrain>(seedId).Complete(assignment.LeaseToken, new TrialOutcome(new() { ["x"] = 2 }, TimeSpan.Zero)));
        Assert.Equal(1, (await sweep.GetStatus()).Counts.Succeeded);
    }

    /// <summary>Leases from the single queue partition until a seed of this sweep comes up (other tests' seeds are released back).</summary>
    private async Task<TrialAssignment> LeaseSeedOf(string sweepName)
    {
        var queue = Grains.GetGrain<IWorkQueueGrain>(0);
        var experimentIds = (await Grains.GetGrain<ISweepGrain>(sweepName).GetResults()).Select(r => r.Id).ToHashSet();
        var others = new List<TrialAssignment>();
        try
        {
            for (var i = 0; i < 1000; i++)
            {
                var leased = await queue.Lease("test-worker", 1, TimeSpan.FromSeconds(60));
                var assignment = Assert.Single(leased);
                if (experimentIds.Contains(assignment.ExperimentId))
                {
                    return assignment;
                }

                others.Add(assignment);
            }

            throw new InvalidOperationException($"no seed of {sweepName} in the queue");
        }
        finally
        {
            foreach (var other in others)
            {
                await Grains.GetGrain<ISeedGrain>(other.SeedId).Abandon(other.LeaseToken);
            }
        }
    }
}
