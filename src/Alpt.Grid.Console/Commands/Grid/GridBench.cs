using System.Diagnostics;
using Alpt.Grid.Abstractions.Catalogue;
using Alpt.Grid.Abstractions.Sweeps;
using Alpt.Grid.Abstractions.Trials;
using Alpt.Grid.Silo.Hosting;
using Alpt.Grid.Silo.Workers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Alpt.Grid.Console.Commands.Grid;

/// <summary>Figures of one bench run.</summary>
public sealed record GridBenchReport(
    int Trials,
    int Slots,
    double GridSeconds,
    double TrialsPerSecond,
    double PlainLoopSeconds,
    double OverheadMsPerTrial,
    double OverheadMsPerTrialPerSlot,
    int ExpansionTrials,
    int ExpansionExperiments,
    double ExpansionSeconds,
    double LaunchSeconds,
    string Storage,
    int StateWrites,
    double DurableWriteMs,
    double UnflushedWriteMs);

/// <summary>
/// The grid's overhead: no-op trials through launch, queue, lease, seed state machine, experiment
/// aggregation and durable file storage, against a plain loop calling the same no-op trial function.
/// </summary>
public static class GridBench
{
    public static async Task<GridBenchReport> RunAsync(int trials, int slots, int expansionTrials, Action<string> say, CancellationToken cancellationToken)
    {
        var data = Path.Combine(Path.GetTempPath(), "alpt-grid-bench-" + Guid.NewGuid().ToString("N"));
        try
        {
            var spec = SpecOf("bench", trials);
            var experiments = SweepExpansion.Experiments(spec);

            // The plain loop: the same trials, the same function, no grid.
            var executor = new NoOpTrialExecutor();
            var slot = new WorkerSlot(0, "cpu", 1);
            var progress = new Progress<TrialProgress>();
            var loop = Stopwatch.StartNew();
            var checksum = 0.0;
            foreach (var experiment in experiments)
            {
                foreach (var seed in spec.Seeds)
                {
                    var assignment = new TrialAssignment(SweepExpansion.SeedId(experiment.Id, seed), experiment.Id, experiment, seed, 1, Guid.NewGuid(), DateTimeOffset.UtcNow);
                    checksum += executor.Run(assignment, slot, progress, cancellationToken).Metrics.Count;
                }
            }

            loop.Stop();
            say($"plain loop: {trials} no-op trials in {loop.Elapsed.TotalMilliseconds:F1} ms (checksum {checksum})");

            double gridSeconds;
            await using (var grid = await StartAsync(Path.Combine(data, "run"), $"cpu*{slots}", cancellationToken))
            {
                var sweep = grid.Grains.GetGrain<ISweepGrain>("bench");
                var watch = Stopwatch.StartNew();
                await sweep.Launch(spec);
                say($"launched {trials} trials in {watch.Elapsed.TotalMilliseconds:F0} ms; running on {slots} slot(s)…");
                // Watch the worker's own count (cheap) so polling does not load the grid it measures,
                // then check the sweep's status: every trial recorded once, as Succeeded.
                var worker = grid.Worker;
                while (worker.Completed < trials)
                {
                    await Task.Delay(5, cancellationToken);
                }

                watch.Stop();
                gridSeconds = watch.Elapsed.TotalSeconds;
                var status = await sweep.GetStatus();
                if (status.Counts.Succeeded != trials)
                {
                    throw new InvalidOperationException($"bench sweep ended with {status.Counts} instead of {trials} successes");
                }
            }

            // Expansion of a large sweep: validation + expansion alone, then the whole durable launch (no workers).
            var large = SpecOf("bench-expansion", expansionTrials);
            var expansion = Stopwatch.StartNew();
            SweepValidation.ThrowIfInvalid(large, GridCatalogue.Default);
            var largeExperiments = SweepExpansion.Experiments(large);
            _ = SweepExpansion.Fingerprint(large);
            expansion.Stop();
            double launchSeconds;
            double durableWrite;
            double unflushedWrite;
            await using (var grid = await StartAsync(Path.Combine(data, "expansion"), "none", cancellationToken))
            {
                var watch = Stopwatch.StartNew();
                var launch = await grid.Grains.GetGrain<ISweepGrain>("bench-expansion").Launch(large);
                watch.Stop();
                launchSeconds = watch.Elapsed.TotalSeconds;

                // What durability costs: the same state writes with and without the fsyncs (file, then directory).
                var serializer = new Orleans.Storage.OrleansGrainStorageSerializer(grid.Serializer);
                durableWrite = await TimeStateWrites(new Silo.Storage.DirectoryGrainStorage(Path.Combine(data, "durable"), serializer, flushToDisk: true));
                unflushedWrite = await TimeStateWrites(new Silo.Storage.DirectoryGrainStorage(Path.Combine(data, "unflushed"), serializer, flushToDisk: false));
                say($"state writes: {durableWrite:F3} ms durable (fsync file + directory), {unflushedWrite:F3} ms without fsync");
                var queued = (await grid.Grains.GetGrain<ISweepGrain>("bench-expansion").GetStatus()).Counts.Queued;
                if (launch.Trials != expansionTrials || queued != expansionTrials)
                {
                    throw new InvalidOperationException($"expansion sweep launched {launch.Trials} trials, {queued} queued, instead of {expansionTrials}");
                }
            }

            var overhead = (gridSeconds - loop.Elapsed.TotalSeconds) / trials * 1000;
            return new GridBenchReport(
                trials, slots, gridSeconds, trials / gridSeconds, loop.Elapsed.TotalSeconds, overhead, overhead * slots,
                expansionTrials, largeExperiments.Count, expansion.Elapsed.TotalSeconds, launchSeconds, "embedded directory storage (durable: fsync file + directory)",
                StateWrites, durableWrite, unflushedWrite);
        }
        finally
        {
            if (Directory.Exists(data))
            {
                Directory.Delete(data, recursive: true);
            }
        }
    }

    /// <summary>State writes timed per storage mode: a seed's state, written over and over under a few grain ids.</summary>
    private const int StateWrites = 400;

    /// <summary>Milliseconds per write of a small grain state through the directory storage, one after another (as one grain writes).</summary>
    private static async Task<double> TimeStateWrites(Silo.Storage.DirectoryGrainStorage storage, int writes = StateWrites)
    {
        var states = Enumerable.Range(0, 8).Select(i => (Id: GrainId.Create("bench", i.ToString(System.Globalization.CultureInfo.InvariantCulture)), State: new GrainState<Dictionary<string, double>>(new() { ["x"] = i }))).ToArray();
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < writes; i++)
        {
            var (id, state) = states[i % states.Length];
            state.State!["x"] = i;
            await storage.WriteStateAsync("seed", id, state);
        }

        return watch.Elapsed.TotalMilliseconds / writes;
    }

    /// <summary>
    /// A valid spec of exactly <paramref name="trials"/> trials: 5 targets × 2 variants × 2 methods × budgets
    /// × seeds, with 5 seeds per experiment (as a real sweep has) when the count allows. Only methods that
    /// use the budget: the oracle would be one experiment whatever the budgets, and the count would not be exact.
    /// </summary>
    public static SweepSpec SpecOf(string name, int trials)
    {
        if (trials < 20 || trials % 20 != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(trials), trials, "the number of bench trials must be a positive multiple of 20");
        }

        var seeds = trials % 100 == 0 ? 5 : 1;
        var budgets = trials / 20 / seeds;
        return new SweepSpec
        {
            Name = name,
            Targets = [.. GridCatalogue.Default.GamesAndVariants.Keys],
            Variants = [GridCatalogue.DefaultVariant, "hard"],
            SourceSets = [[]],
            Budgets = [.. Enumerable.Range(1, budgets).Select(b => b * 10)],
            Methods = ["labelled-only", "idm-target"],
            Seeds = [.. Enumerable.Range(0, seeds)],
        };
    }

    private static async Task<BenchHost> StartAsync(string data, string slots, CancellationToken cancellationToken)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Bench", Args = [] });
        builder.Logging.ClearProviders();
        var (siloPort, gatewayPort) = TwoFreePorts();
        builder.AddGridSilo(o =>
        {
            o.Clustering = Silo.Configuration.ClusteringMode.Embedded;
            o.DataDirectory = data;
            o.SiloPort = siloPort;
            o.GatewayPort = gatewayPort;
            o.Slots = slots;
            o.MaxIdlePoll = TimeSpan.FromMilliseconds(20);
            o.Executor.Kind = "noop";
        });
        var host = builder.Build();
        await host.StartAsync(cancellationToken);
        return new BenchHost(host);
    }

    /// <summary>Two distinct free loopback ports (both held open while chosen, so the OS cannot give one twice).</summary>
    private static (int, int) TwoFreePorts()
    {
        using var first = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        using var second = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        first.Start();
        second.Start();
        return (((System.Net.IPEndPoint)first.LocalEndpoint).Port, ((System.Net.IPEndPoint)second.LocalEndpoint).Port);
    }

    private sealed class BenchHost(IHost host) : IAsyncDisposable
    {
        public IGrainFactory Grains => host.Services.GetRequiredService<IGrainFactory>();

        public TrialWorker Worker => host.Services.GetRequiredService<TrialWorker>();

        public Orleans.Serialization.Serializer Serializer => host.Services.GetRequiredService<Orleans.Serialization.Serializer>();

        public async ValueTask DisposeAsync()
        {
            await host.StopAsync();
            host.Dispose();
        }
    }
}
