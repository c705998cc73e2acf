using System.Diagnostics;
using Alpt.Grid.Abstractions.Seeds;
using Alpt.Grid.Abstractions.Sweeps;
using Alpt.Grid.Silo.Configuration;
using Xunit.Abstractions;

namespace Alpt.Grid.IntegrationTests;

/// <summary>
/// Silo processes on Azurite asked to stop (SIGTERM, as docker stop and Kubernetes do): a worker drains —
/// hands back a trial that will not finish, reports one that finishes within its grace — and every silo
/// exits within Grid:ShutdownTimeout, with storage down too.
/// </summary>
public sealed class ShutdownTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(60);

    private static SweepSpec OneTrial(string name) =>
        new() { Name = name, Targets = ["freeway"], Budgets = [10], Methods = ["labelled-only"], Seeds = [0] };

    [Fact]
    public async Task A_worker_sigtermed_mid_trial_hands_it_back_and_it_runs_elsewhere_long_before_its_lease_would_expire()
    {
        await using var cluster = await Cluster.StartAsync(output);
        // On silo A the trial hangs until cancelled (it would never finish); on B it takes 2 s.
        var a = await cluster.Silo("siloA", "cpu*1", ["--Grid:DrainGrace=00:00:00", "--Grid:Executor:HangSeeds:0=0"]);
        using var client = await cluster.Client();
        await client.Grains().GetGrain<ISweepGrain>("handback").Launch(OneTrial("handback"));
        var seed = await SeedOf(client.Grains(), "handback");
        var running = await WaitForSeed(client.Grains(), seed, s => s.State == SeedState.Running && s.Worker!.StartsWith("siloA/", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
        await cluster.Silo("siloB", "cpu*1", []);

        var terminated = Stopwatch.StartNew();
        var heartbeat = await client.Grains().GetGrain<ISeedGrain>(seed).GetStatus();
        a.Terminate();
        // Running on B, or already done there: its 2 s run can fall between two polls (one poll may wait on a silo
        // that is shutting down), and when it is seen succeeded, the time seen is an upper bound on the re-run's start.
        var rerun = await WaitForSeed(client.Grains(), seed, s => s.State is SeedState.Running or SeedState.Succeeded && s.Worker is { } w && w.StartsWith("siloB/", StringComparison.Ordinal), TimeSpan.FromSeconds(45));
        var rerunAfter = terminated.Elapsed;
        var leaseLeft = heartbeat.LeaseExpiresAt!.Value - DateTimeOffset.UtcNow + rerunAfter;
        output.WriteLine($"SIGTERM to siloA mid-trial (attempt {running.Attempt}); the trial ran again on {rerun.Worker} {rerunAfter.TotalSeconds:0.0} s later; its lease would have expired {leaseLeft.TotalSeconds:0.0} s after the SIGTERM");
        Assert.True(await a.WaitForExit(TimeSpan.FromSeconds(30)), "siloA did not exit within its shutdown timeout (30 s)\n" + a.Output);
        Assert.Equal(0, a.ExitCode);
        Assert.True(rerunAfter < leaseLeft / 2, $"re-run {rerunAfter} after SIGTERM, lease would have expired {leaseLeft} after it");

        var done = await WaitForSeed(client.Grains(), seed, s => s.State == SeedState.Succeeded, TimeSpan.FromSeconds(60));
        // The hand-back did not cost the seed an attempt.
        Assert.Equal(1, done.Attempt);
        Assert.StartsWith("siloB/", done.Worker, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_worker_sigtermed_lets_a_trial_that_finishes_within_its_drain_grace_report_its_result()
    {
        await using var cluster = await Cluster.StartAsync(output);
        await cluster.Silo("coordinator", "none", []);
        var worker = await cluster.Silo("worker", "cpu*1", ["--Grid:DrainGrace=00:00:20", "--Grid:ShutdownTimeout=00:00:40", "--Grid:Executor:DelayMilliseconds=6000"]);
        using var client = await cluster.Client();
        await client.Grains().GetGrain<ISweepGrain>("grace").Launch(OneTrial("grace"));
        var seed = await SeedOf(client.Grains(), "grace");
        await WaitForSeed(client.Grains(), seed, s => s.State == SeedState.Running, TimeSpan.FromSeconds(60));

        var terminated = Stopwatch.StartNew();
        worker.Terminate();
        Assert.True(await worker.WaitForExit(TimeSpan.FromSeconds(40)), "the worker did not exit within its shutdown timeout (40 s)\n" + worker.Output);
        output.WriteLine($"worker SIGTERMed mid-trial exited after {terminated.Elapsed.TotalSeconds:0.0} s (exit code {worker.ExitCode})");
        Assert.Equal(0, worker.ExitCode);
        var status = await client.Grains().GetGrain<ISeedGrain>(seed).GetStatus();
        Assert.True(status.State == SeedState.Succeeded, $"{status}\n{worker.Output}");
        Assert.StartsWith("worker/", status.Worker, StringComparison.Ordinal);
        Assert.Single(GridProcesses.Executions(cluster.ExecutionLog("worker")));
    }

    [Fact]
    public async Task Silos_sigtermed_while_storage_is_down_exit_within_their_shutdown_timeout()
    {
        await using var cluster = await Cluster.StartAsync(output);
        var settings = new[] { "--Grid:DrainGrace=00:00:02", "--Grid:ShutdownTimeout=00:00:12", "--Grid:Executor:HangSeeds:0=0" };
        var coordinator = await cluster.Silo("coordinator", "none", settings);
        var worker = await cluster.Silo("worker", "cpu*1", settings);
        using (var client = await cluster.Client())
        {
            await client.Grains().GetGrain<ISweepGrain>("outage").Launch(OneTrial("outage"));
            await WaitForSeed(client.Grains(), await SeedOf(client.Grains(), "outage"), s => s.State == SeedState.Running, TimeSpan.FromSeconds(60));
        }

        await cluster.Azurite.StopAsync();
        var terminated = Stopwatch.StartNew();
        coordinator.Terminate();
        worker.Terminate();
        var exits = await Task.WhenAll(Exit(coordinator), Exit(worker));
        output.WriteLine($"Azurite stopped, both SIGTERMed: coordinator exited after {exits[0]?.TotalSeconds:0.0} s, worker after {exits[1]?.TotalSeconds:0.0} s (bound 12 s)");
        Assert.True(exits[0] is not null, "the coordinator did not exit within 12 s (+3 s)\n" + coordinator.Output);
        Assert.True(exits[1] is not null, "the worker did not exit within 12 s (+3 s)\n" + worker.Output);

        async Task<TimeSpan?> Exit(ChildProcess silo) =>
            await silo.WaitForExit(TimeSpan.FromSeconds(15) - terminated.Elapsed) ? terminated.Elapsed : null;
    }

    private static async Task<string> SeedOf(IGrainFactory grains, string sweep)
    {
        var experiment = (await grains.GetGrain<ISweepGrain>(sweep).GetResults()).Single();
        return SweepExpansion.SeedId(experiment.Id, 0);
    }

    private static async Task<SeedStatus> WaitForSeed(IGrainFactory grains, string seedId, Func<SeedStatus, bool> condition, TimeSpan limit)
    {
        var watch = Stopwatch.StartNew();
        string last = "no answer";
        while (watch.Elapsed < limit)
        {
            try
            {
                var status = await grains.GetGrain<ISeedGrain>(seedId).GetStatus().WaitAsync(TimeSpan.FromSeconds(10));
                if (condition(status))
                {
                    return status;
                }

                last = status.ToString();
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                last = e.GetType().Name + ": " + e.Message;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"seed {seedId} did not reach the expected state within {limit}: {last}");
    }

    /// <summary>Azurite and the silo processes of one test, all stopped at the end (their output kept for a failure).</summary>
    private sealed class Cluster(Azurite azurite, string data, string clusterId, ITestOutputHelper output) : IAsyncDisposable
    {
        private readonly List<ChildProcess> silos = [];

        public Azurite Azurite => azurite;

        public static async Task<Cluster> StartAsync(ITestOutputHelper output) =>
            new(await Azurite.StartAsync(), Repo.TempDirectory("alpt-shutdown"), "shutdown-" + Guid.NewGuid().ToString("N")[..8], output);

        public string ExecutionLog(string silo) => Path.Combine(data, silo + ".log");

        public async Task<ChildProcess> Silo(string name, string slots, IReadOnlyList<string> settings)
        {
            var silo = await GridProcesses.StartSilo(new SiloSpec(
                name, ClusteringMode.Azure, clusterId, azurite.ConnectionString, Path.Combine(data, name),
                LoopbackPorts.Free(), LoopbackPorts.Free(), slots, 2000, ExecutionLog(name), Lease, Settings: settings));
            silos.Add(silo);
            return silo;
        }

        public Task<Microsoft.Extensions.Hosting.IHost> Client() => GridProcesses.StartClient(ClusteringMode.Azure, clusterId, azurite.ConnectionString, 0);

        public async ValueTask DisposeAsync()
        {
            foreach (var silo in silos)
            {
                output.WriteLine($"--- {silo.Name} ---\n{string.Join('\n', silo.Output.Split('\n').TakeLast(40))}");
                await silo.DisposeAsync();
            }

            await azurite.DisposeAsync();
            Directory.Delete(data, recursive: true);
        }
    }
}
