using Alpt.Grid.Abstractions.Queue;
using Alpt.Grid.Abstractions.Seeds;
using Alpt.Grid.Abstractions.Sweeps;
using Alpt.Grid.Abstractions.Trials;

namespace Alpt.Grid.Grains.Tests.Faults;

/// <summary>
/// The concrete paths of issue 13 where one failed call left a seed or a sweep that never finishes,
/// each reproduced with an injected fault in the real test cluster.
/// </summary>
[Collection(GridClusterCollection.Name)]
public sealed class LifecycleFaultTests(GridClusterFixture fixture)
{
    private static readonly TimeSpan PastLease = TimeSpan.FromSeconds(61);

    private IGrainFactory Grains => fixture.Grains;

    private IWorkQueueGrain Queue => Grains.GetGrain<IWorkQueueGrain>(0);

    [Fact]
    public async Task A_lease_whose_reply_was_lost_is_still_watched_and_expires_back_to_the_queue()
    {
        var sweep = Grains.GetGrain<ISweepGrain>("lost-lease");
        await sweep.Launch(SpecFixtures.Single("lost-lease", seeds: 1, maxAttempts: 2));
        var seedId = SweepExpansion.SeedId(Assert.Single(await sweep.GetResults()).Id, 0);

        // The seed stores Running, then its reply to the queue is lost: nobody holds the lease.
        using (var fault = FaultInjection.Arm(FaultInjection.CallSite(typeof(ISeedGrain), nameof(ISeedGrain.BeginAttempt)), 1, FaultTiming.AfterEffect, seedId))
        {
            for (var i = 0; i < 100 && !fault.Fired; i++)
            {
                var leased = await Queue.Lease("lost-worker", 1, TimeSpan.FromSeconds(60));
                foreach (var other in leased)
                {
                    await Grains.GetGrain<ISeedGrain>(other.SeedId).Abandon(other.LeaseToken);
                }
            }

            Assert.True(fault.Fired);
        }

        var lost = await Grains.GetGrain<ISeedGrain>(seedId).GetStatus();
        Assert.True(lost.State == SeedState.Running, $"{lost}");

        // The queue keeps watching that lease: once it runs out the seed is queued again and runs.
        Assert.Null(await GridDriver.TryLeaseSeedOf(Grains, "lost-lease"));
        GridClusterFixture.Clock.Advance(PastLease);
        var again = await GridDriver.LeaseSeedOf(Grains, "lost-lease");
        Assert.Equal((seedId, 2), (again.SeedId, again.Attempt));
        Assert.Equal(ReportVerdict.Accepted, await Grains.GetGrain<ISeedGrain>(seedId).Complete(again.LeaseToken, Outcome(1)));
        Assert.Equal(SweepState.Completed, (await sweep.GetStatus()).State);
    }

    [Fact]
    public async Task A_seed_out_of_attempts_reaches_its_experiment_when_the_first_telling_failed()
    {
        var sweep = Grains.GetGrain<ISweepGrain>("last-expiry");
        await sweep.Launch(SpecFixtures.Single("last-expiry", seeds: 1, maxAttempts: 1));
        var experimentId = Assert.Single(await sweep.GetResults()).Id;
        var lease = await GridDriver.LeaseSeedOf(Grains, "last-expiry");

        // The last attempt's lease expires: Failed is stored, then telling the experiment fails.
        GridClusterFixture.Clock.Advance(PastLease);
        GridClusterFixture.Unreachable[experimentId] = true;
        try
        {
            await Queue.ExpireLeases();
        }
        finally
        {
            GridClusterFixture.Unreachable.TryRemove(experimentId, out _);
        }

        Assert.Equal(SeedState.Failed, (await Grains.GetGrain<ISeedGrain>(lease.SeedId).GetStatus()).State);

        // The queue's next check of that lease tells the experiment, which no longer counts the seed as open.
        await Queue.ExpireLeases();
        var status = await sweep.GetStatus();
        Assert.Equal((SweepState.Completed, 1), (status.State, status.Counts.Failed));
    }

    [Fact]
    public async Task A_sweep_whose_registration_failed_is_listed_once_launched_again()
    {
        var spec = SpecFixtures.Single("unregistered", seeds: 1);
        var sweep = Grains.GetGrain<ISweepGrain>("unregistered");
        using (FaultInjection.Arm(FaultInjection.CallSite(typeof(ISweepRegistryGrain), nameof(ISweepRegistryGrain.Register)), 1, FaultTiming.BeforeEffect))
        {
            await Assert.ThrowsAnyAsync<Exception>(() => sweep.Launch(spec));
        }

        Assert.NotNull(await sweep.GetSpec());
        var relaunch = await sweep.Launch(spec);

        Assert.False(relaunch.Created);
        Assert.Contains(await Grains.GetGrain<ISweepRegistryGrain>(0).List(), e => e.SweepId == "unregistered" && e.Active);
        Assert.Equal(1, await sweep.Cancel());
    }

    [Fact]
    public async Task Retry_failed_queues_a_seed_whose_first_retry_could_not_reach_the_queue()
    {
        var sweep = Grains.GetGrain<ISweepGrain>("retry-lost");
        await sweep.Launch(SpecFixtures.Single("retry-lost", seeds: 1, maxAttempts: 1));
        var first = await GridDriver.LeaseSeedOf(Grains, "retry-lost");
        var seed = Grains.GetGrain<ISeedGrain>(first.SeedId);
        Assert.Equal(ReportVerdict.Accepted, await seed.Fail(first.LeaseToken, "boom"));

        // The seed stores Queued, then cannot reach the queue: queued in no queue.
        using (FaultInjection.Arm(FaultInjection.CallSite(typeof(IWorkQueueGrain), nameof(IWorkQueueGrain.Enqueue)), 1, FaultTiming.BeforeEffect))
        {
            await Assert.ThrowsAnyAsync<Exception>(() => sweep.RetryFailed());
        }

        Assert.Equal(SeedState.Queued, (await seed.GetStatus()).State);

        // A second retry-failed does not skip it.
        await sweep.RetryFailed();
        var second = await GridDriver.LeaseSeedOf(Grains, "retry-lost");
        Assert.Equal((first.SeedId, 1), (second.SeedId, second.Attempt));
        Assert.Equal(ReportVerdict.Accepted, await seed.Complete(second.LeaseToken, Outcome(2)));
        Assert.Equal(SweepState.Completed, (await sweep.GetStatus()).State);
    }

    [Fact]
    public async Task An_open_seed_that_no_queue_holds_is_queued_again_by_the_periodic_reconciliation()
    {
        // The partition is active and its activation's own resume is over: only the periodic one is left.
        await Queue.GetStats();
        await Task.Delay(1000);

        // Launching stores the sweep, then its seed cannot reach the queue; nobody launches it again.
        var sweep = Grains.GetGrain<ISweepGrain>("reconciled");
        using (FaultInjection.Arm(FaultInjection.CallSite(typeof(IWorkQueueGrain), nameof(IWorkQueueGrain.Enqueue)), 1, FaultTiming.BeforeEffect))
        {
            await Assert.ThrowsAnyAsync<Exception>(() => sweep.Launch(SpecFixtures.Single("reconciled", seeds: 1)));
        }

        // Reconciliation from stored state queues it within a few intervals, as a polling worker would see.
        TrialAssignment? assignment = null;
        var deadline = DateTime.UtcNow + (GridClusterFixture.ReconcileInterval * 10);
        while (assignment is null && DateTime.UtcNow < deadline)
        {
            assignment = await GridDriver.TryLeaseSeedOf(Grains, "reconciled");
            await Task.Delay(100);
        }

        Assert.NotNull(assignment);
        Assert.Equal(ReportVerdict.Accepted, await Grains.GetGrain<ISeedGrain>(assignment.SeedId).Complete(assignment.LeaseToken, Outcome(3)));
        Assert.Equal(SweepState.Completed, (await sweep.GetStatus()).State);
    }

    private static TrialOutcome Outcome(double value) => new(new Dictionary<string, double> { ["x"] = value }, TimeSpan.Zero);
}
