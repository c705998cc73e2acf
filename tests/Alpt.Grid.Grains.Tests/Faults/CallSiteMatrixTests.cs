using Alpt.Grid.Abstractions.Experiments;
using Alpt.Grid.Abstractions.Queue;
using Alpt.Grid.Abstractions.Seeds;
using Alpt.Grid.Abstractions.Sweeps;
using Alpt.Grid.Abstractions.Trials;
using Xunit.Abstractions;

namespace Alpt.Grid.Grains.Tests.Faults;

/// <summary>
/// Issue 13's call-site matrix: one whole lifecycle (launch → submit → queue → lease → heartbeat →
/// complete / fail / abandon / lease expiry → experiment → sweep, then retry-failed, a resume, and a
/// second sweep cancelled while one of its trials runs) is driven with one fault injected at one call
/// site or state write, before it takes effect or after it took effect but before the caller hears back.
/// Whatever the fault, every sweep ends, each seed's accepted result is the one and only result its seed
/// recorded, it comes from the execution that held the lease, and no seed runs again once it succeeded.
/// </summary>
[Collection(GridClusterCollection.Name)]
public sealed class CallSiteMatrixTests(GridClusterFixture fixture, ITestOutputHelper output)
{
    private const int Seeds = 4;

    private static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(60);

    private static readonly TimeSpan PastLease = TimeSpan.FromSeconds(61);

    /// <summary>The call sites of the lifecycle: grain methods (interface, method, scoped by arguments) and state writes (state name).</summary>
    public static TheoryData<string, int, FaultTiming> CallSites()
    {
        var data = new TheoryData<string, int, FaultTiming>();
        string[] sites =
        [
            // launch
            Call<ISweepGrain>(nameof(ISweepGrain.Launch)),
            Call<ISweepRegistryGrain>(nameof(ISweepRegistryGrain.Register)),
            Call<IExperimentGrain>(nameof(IExperimentGrain.Submit)),
            // submit → queue
            Call<ISeedGrain>(nameof(ISeedGrain.Submit)),
            Call<IWorkQueueGrain>(nameof(IWorkQueueGrain.Enqueue)),
            Call<IWorkQueueGrain>(nameof(IWorkQueueGrain.Track)),
            // lease → heartbeat
            Call<IWorkQueueGrain>(nameof(IWorkQueueGrain.Lease)),
            Call<ISeedGrain>(nameof(ISeedGrain.BeginAttempt)),
            Call<ISeedGrain>(nameof(ISeedGrain.Heartbeat)),
            // complete / fail / abandon / expiry
            Call<ISeedGrain>(nameof(ISeedGrain.Complete)),
            Call<ISeedGrain>(nameof(ISeedGrain.Fail)),
            Call<ISeedGrain>(nameof(ISeedGrain.Abandon)),
            Call<IWorkQueueGrain>(nameof(IWorkQueueGrain.ExpireLeases)),
            Call<ISeedGrain>(nameof(ISeedGrain.CheckLease)),
            Call<IWorkQueueGrain>(nameof(IWorkQueueGrain.Release)),
            // experiment → sweep
            Call<IExperimentGrain>(nameof(IExperimentGrain.SeedFinished)),
            Call<IExperimentGrain>(nameof(IExperimentGrain.GetCounts)),
            Call<ISweepGrain>(nameof(ISweepGrain.GetStatus)),
            Call<ISweepRegistryGrain>(nameof(ISweepRegistryGrain.SetActive)),
            // resume (a relaunch, and the periodic reconciliation)
            Call<ISweepGrain>(nameof(ISweepGrain.Resume)),
            Call<IExperimentGrain>(nameof(IExperimentGrain.Resume)),
            // retry-failed
            Call<ISweepGrain>(nameof(ISweepGrain.RetryFailed)),
            Call<IExperimentGrain>(nameof(IExperimentGrain.RetryFailed)),
            Call<ISeedGrain>(nameof(ISeedGrain.Retry)),
            // cancel
            Call<ISweepGrain>(nameof(ISweepGrain.Cancel)),
            Call<IExperimentGrain>(nameof(IExperimentGrain.Cancel)),
            Call<ISeedGrain>(nameof(ISeedGrain.Cancel)),
            // state writes
            FaultInjection.WriteSite("sweep"),
            FaultInjection.WriteSite("registry"),
            FaultInjection.WriteSite("experiment"),
            FaultInjection.WriteSite("seed"),
        ];
        foreach (var site in sites)
        {
            foreach (var timing in Enum.GetValues<FaultTiming>())
            {
                data.Add(site, 1, timing);
            }
        }

        // Sites the lifecycle reaches many times: a later call too (another seed, another transition).
        foreach (var site in new[] { Call<ISeedGrain>(nameof(ISeedGrain.BeginAttempt)), Call<ISeedGrain>(nameof(ISeedGrain.Complete)), FaultInjection.WriteSite("seed"), FaultInjection.WriteSite("experiment") })
        {
            foreach (var timing in Enum.GetValues<FaultTiming>())
            {
                data.Add(site, 3, timing);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(CallSites))]
    public async Task The_lifecycle_survives_one_fault(string site, int nth, FaultTiming timing)
    {
        var name = $"m-{site.Replace(':', '-').Replace('.', '-')}-{nth}-{timing}".ToLowerInvariant();
        var spec = SpecFixtures.Single(name, Seeds, maxAttempts: 2);
        var cancelSpec = SpecFixtures.Single(name + "-c", seeds: 2, maxAttempts: 2);
        var experimentId = Assert.Single(SweepExpansion.Experiments(spec)).Id;
        var cancelExperimentId = Assert.Single(SweepExpansion.Experiments(cancelSpec)).Id;
        var grains = fixture.Grains;
        var log = new ExecutionLog();

        // Sites reached only with no key of this test (the registry, the queue partition) take the Nth call of anyone's.
        string[]? scope = site.StartsWith(nameof(IWorkQueueGrain) + "." + nameof(IWorkQueueGrain.Lease), StringComparison.Ordinal)
            || site.StartsWith(nameof(IWorkQueueGrain) + "." + nameof(IWorkQueueGrain.ExpireLeases), StringComparison.Ordinal)
            || site == FaultInjection.WriteSite("registry")
            ? null
            : [name, experimentId, cancelExperimentId];
        bool fired;
        using (var fault = FaultInjection.Arm(site, nth, timing, scope, matchArguments: true))
        {
            await Lifecycle(grains, name, spec, cancelSpec, log);
            fired = fault.Fired;
        }

        output.WriteLine($"{site} #{nth} {timing}: fired {fired}, {log.Executions.Count} executions");
        Assert.True(fired, $"the fault at {site} #{nth} never struck: the lifecycle does not reach that call site");

        // The sweep ended with every seed succeeded: once, from the execution that held the lease.
        var sweep = grains.GetGrain<ISweepGrain>(name);
        var status = await sweep.GetStatus();
        Assert.True(status is { State: SweepState.Completed, Counts.Succeeded: Seeds }, $"{status}");
        var experiment = Assert.Single(await sweep.GetResults());
        Assert.Equal(Seeds, experiment.Seeds.Length);
        for (var seed = 0; seed < Seeds; seed++)
        {
            var seedId = SweepExpansion.SeedId(experimentId, seed);
            var history = await grains.GetGrain<ISeedGrain>(seedId).GetHistory();
            var accepted = Assert.Single(history, h => h.End == AttemptEnd.Succeeded);
            var executions = log.Of(seedId);
            var winner = Assert.Single(executions, e => e.LeaseToken == accepted.LeaseToken);
            Assert.Equal(accepted.Attempt, winner.Attempt);
            var stored = await grains.GetGrain<ISeedGrain>(seedId).GetStatus();
            Assert.Equal(winner.Value, stored.Outcome!.Metrics["x"]);
            Assert.Equal(winner.Value, experiment.Seeds.Single(r => r.Seed == seed).Metrics!["x"]);
            Assert.DoesNotContain(executions, e => e.Sequence > winner.Sequence);
        }

        // Fenced-off executions (seed 2's first, whose lease expired while it ran, reported too): never the stored one.
        var fencedOff = log.Executions.Where(e => e.Fenced && e.SeedId.StartsWith(experimentId, StringComparison.Ordinal)).ToList();
        Assert.Contains(fencedOff, e => e.SeedId == SweepExpansion.SeedId(experimentId, 2));
        foreach (var e in fencedOff)
        {
            Assert.NotEqual(e.Value, (await grains.GetGrain<ISeedGrain>(e.SeedId).GetStatus()).Outcome!.Metrics["x"]);
        }

        // The cancelled sweep ended cancelled: nothing of it succeeded, nothing of it is left to run.
        var cancelled = await grains.GetGrain<ISweepGrain>(name + "-c").GetStatus();
        Assert.True(cancelled is { State: SweepState.Cancelled, Counts.Cancelled: 2, Counts.Succeeded: 0 }, $"{cancelled}");
        foreach (var seed in new[] { 0, 1 })
        {
            Assert.Equal(SeedState.Cancelled, (await grains.GetGrain<ISeedGrain>(SweepExpansion.SeedId(cancelExperimentId, seed)).GetStatus()).State);
        }
    }

    private static string Call<T>(string method) => FaultInjection.CallSite(typeof(T), method);

    /// <summary>
    /// What users and workers do, each retrying what failed as the console (a command run again) and the
    /// worker (reports retried until answered, heartbeats on their next beat) do. Seed 0 is handed back once,
    /// seed 1 fails once, seed 2's first worker goes silent (its lease expires) and reports late, seed 3
    /// fails out of its attempts and is retried with retry-failed.
    /// </summary>
    private static async Task Lifecycle(IGrainFactory grains, string name, SweepSpec spec, SweepSpec cancelSpec, ExecutionLog log)
    {
        var sweep = grains.GetGrain<ISweepGrain>(name);
        await Retried(() => sweep.Launch(spec));
        var seedIds = Enumerable.Range(0, Seeds).Select(s => SweepExpansion.SeedId(Assert.Single(SweepExpansion.Experiments(spec)).Id, s)).ToArray();
        Execution? silent = null;

        async Task Work(Func<TrialAssignment, int, Task<bool>> onExecution, Func<Task<bool>> done)
        {
            for (var round = 0; round < 400 && !await Retried(done); round++)
            {
                var leased = await Retried(() => GridDriver.TryLeaseSeedOf(grains, name, "matrix-worker"));
                if (leased is null)
                {
                    // Nothing to lease now: time passes (leases run out), the periodic reconciliation gets its turn.
                    GridClusterFixture.Clock.Advance(PastLease);
                    await Retried(() => grains.GetGrain<IWorkQueueGrain>(0).ExpireLeases());
                    await Task.Delay(200);
                    continue;
                }

                var execution = log.Start(leased);
                if (!await Beat(grains, leased))
                {
                    log.Fence(execution);
                    continue;
                }

                if (!await onExecution(leased, log.Of(leased.SeedId).Count))
                {
                    continue;
                }

                var verdict = await Retried(() => grains.GetGrain<ISeedGrain>(leased.SeedId).Complete(leased.LeaseToken, Outcome(execution.Value)));
                if (verdict == ReportVerdict.StaleLease)
                {
                    log.Fence(execution);
                }
            }
        }

        async Task<bool> Behave(TrialAssignment a, int n)
        {
            var seed = grains.GetGrain<ISeedGrain>(a.SeedId);
            switch (Array.IndexOf(seedIds, a.SeedId), n)
            {
                case (0, 1):
                    await Retried(() => seed.Abandon(a.LeaseToken));
                    return false;
                case (1, 1) or (3, _) when a.Attempt <= 2 && log.Of(a.SeedId).Count <= 2:
                    await Retried(() => seed.Fail(a.LeaseToken, "trial threw"));
                    return false;
                case (2, 1):
                    // Silent from here; a relaunch (how `alpt sweep run` resumes) meanwhile re-derives its lease.
                    silent = log.Of(a.SeedId)[0];
                    await Retried(() => sweep.Launch(spec));
                    // And the call the periodic reconciliation makes, made now.
                    await Retried(async () =>
                    {
                        await sweep.Resume();
                        return true;
                    });
                    return false;
                case (2, _) when silent is { } late && !late.Fenced:
                    // The first worker wakes up and reports its result after its lease ran out: refused.
                    var verdict = await Retried(() => seed.Complete(late.LeaseToken, Outcome(late.Value)));
                    Assert.NotEqual(ReportVerdict.Accepted, verdict);
                    log.Fence(late);
                    return true;
                default:
                    return true;
            }
        }

        await Work(Behave, async () => (await sweep.GetStatus()) is { State: SweepState.Completed } s && s.Counts.Failed + s.Counts.Succeeded == Seeds);

        // Seed 3 failed out of its attempts: retry-failed runs it again.
        Assert.Equal(SeedState.Failed, (await grains.GetGrain<ISeedGrain>(seedIds[3]).GetStatus()).State);
        await Retried(() => sweep.RetryFailed());
        // (A lost lease can use up seed 2's attempts while its first worker is silent: its late report comes here.)
        await Work(Behave, async () => (await sweep.GetStatus()) is { State: SweepState.Completed, Counts.Succeeded: Seeds });

        // A second sweep, cancelled while one of its trials runs; that trial's report comes after the cancel.
        var other = grains.GetGrain<ISweepGrain>(cancelSpec.Name);
        await Retried(() => other.Launch(cancelSpec));
        var running = await Retried(() => GridDriver.TryLeaseSeedOf(grains, cancelSpec.Name, "matrix-worker"));
        await Retried(() => other.Cancel());
        if (running is not null)
        {
            var execution = log.Start(running);
            Assert.NotEqual(ReportVerdict.Accepted, await Retried(() => grains.GetGrain<ISeedGrain>(running.SeedId).Complete(running.LeaseToken, Outcome(execution.Value))));
        }

        for (var round = 0; round < 400 && await Retried(other.GetStatus) is not { State: SweepState.Cancelled, Counts.Cancelled: 2 }; round++)
        {
            // A cancel whose effects were cut short is completed by running it again, as a user would.
            await Retried(() => other.Cancel());
            await Task.Delay(200);
        }

        Assert.Null(await Retried(() => GridDriver.TryLeaseSeedOf(grains, cancelSpec.Name, "matrix-worker")));
    }

    /// <summary>One heartbeat, tried on the next beats if it fails; false when the lease is lost.</summary>
    private static async Task<bool> Beat(IGrainFactory grains, TrialAssignment a)
    {
        for (var beat = 0; ; beat++)
        {
            try
            {
                return await grains.GetGrain<ISeedGrain>(a.SeedId).Heartbeat(a.LeaseToken, null);
            }
            catch (Exception) when (beat < 3)
            {
            }
        }
    }

    private static async Task<T> Retried<T>(Func<Task<T>> call)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await call();
            }
            catch (Exception) when (attempt < 20)
            {
                await Task.Delay(50);
            }
        }
    }

    private static TrialOutcome Outcome(double value) => new(new Dictionary<string, double> { ["x"] = value }, TimeSpan.Zero);

    /// <summary>One execution of a trial by the test's worker, with the value only that execution computes.</summary>
    private sealed record Execution(int Sequence, string SeedId, int Attempt, Guid LeaseToken, double Value)
    {
        public bool Fenced { get; set; }
    }

    /// <summary>The worker's own log of what it executed (not what the grains say was recorded).</summary>
    private sealed class ExecutionLog
    {
        public List<Execution> Executions { get; } = [];

        public Execution Start(TrialAssignment a)
        {
            var execution = new Execution(Executions.Count + 1, a.SeedId, a.Attempt, a.LeaseToken, 1000 + Executions.Count + 1);
            Executions.Add(execution);
            return execution;
        }

        public void Fence(Execution execution) => execution.Fenced = true;

        public List<Execution> Of(string seedId) => [.. Executions.Where(e => e.SeedId == seedId)];
    }
}
