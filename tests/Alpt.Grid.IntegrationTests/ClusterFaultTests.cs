using System.Diagnostics;
using Alpt.Grid.Abstractions.Experiments;
using Alpt.Grid.Abstractions.Seeds;
using Alpt.Grid.Abstractions.Sweeps;
using Alpt.Grid.Abstractions.Trials;
using Alpt.Grid.Silo.Configuration;
using Alpt.Grid.Silo.Workers;
using Xunit.Abstractions;

namespace Alpt.Grid.IntegrationTests;

/// <summary>Three silo processes on Azurite losing a worker mid-trial, then all of them mid-sweep.</summary>
public sealed class ClusterFaultTests(ITestOutputHelper output)
{
    private const int Seeds = 8;

    // 12 experiments × 8 seeds: when 30 have succeeded, dozens of seconds of work remain for the second kill
    // (the two survivors may deliver a burst of results held back while the cluster declared silo2 dead).
    private const int Trials = 12 * Seeds;

    [Fact]
    public async Task A_killed_worker_silo_and_then_a_killed_cluster_lose_nothing_and_run_no_finished_seed_twice()
    {
        var data = Repo.TempDirectory("alpt-cluster-faults");
        var clusterId = "faults-" + Guid.NewGuid().ToString("N")[..8];
        var sweepSpec = new SweepSpec { Name = "faults", Targets = ["freeway", "asterix"], Budgets = [10, 20, 30], Methods = ["idm-target", "labelled-only"], Seeds = [.. Enumerable.Range(0, Seeds)] };
        await using var azurite = await Azurite.StartAsync();
        // Trials of 1.2 s on 3 × 2 slots; a 4 s lease, so a dead worker's trial is back in the queue soon.
        SiloSpec Silo(int i) => new(
            $"silo{i}", ClusteringMode.Azure, clusterId, azurite.ConnectionString, Path.Combine(data, $"silo{i}"),
            LoopbackPorts.Free(), LoopbackPorts.Free(), "cpu*2", 1200, Path.Combine(data, $"silo{i}.log"), TimeSpan.FromSeconds(4));
        var processes = new List<ChildProcess>();
        var started = new List<ChildProcess>();
        var watch = Stopwatch.StartNew();
        try
        {
            processes.AddRange(await Task.WhenAll(Enumerable.Range(0, 3).Select(i => GridProcesses.StartSilo(Silo(i)))));
            started.AddRange(processes);
            HashSet<string> finishedBeforeClusterKill;
            int[] executionsAtClusterKill;
            HashSet<string> inFlightOnKilledSilo;
            using (var client = await GridProcesses.StartClient(ClusteringMode.Azure, clusterId, azurite.ConnectionString, 0))
            {
                Assert.Equal(Trials, (await client.Grains().GetGrain<ISweepGrain>("faults").Launch(sweepSpec)).Trials);
                await GridProcesses.WaitThrough(client.Grains(), "faults", s => s.Counts.Succeeded >= 6, TimeSpan.FromSeconds(90));

                // SIGKILL one worker silo in the middle of its trials.
                processes[2].Kill();
                var killedAt = watch.Elapsed;
                var afterKill = await Results(client.Grains());
                inFlightOnKilledSilo = [.. Executed(data, "silo2").Except(afterKill.Where(s => s.Worker.StartsWith("silo2/", StringComparison.Ordinal)).Select(s => s.SeedId))];
                Assert.NotEmpty(inFlightOnKilledSilo);

                // The others take the dead silo's leased seeds over once its leases expire.
                await GridProcesses.WaitThrough(client.Grains(), "faults", s => s.Counts.Succeeded >= 30, TimeSpan.FromSeconds(120));
                output.WriteLine($"silo2 killed at {killedAt:mm\\:ss} with {inFlightOnKilledSilo.Count} trial(s) running; 30 succeeded at {watch.Elapsed:mm\\:ss}");

                // Then the whole cluster dies mid-sweep.
                finishedBeforeClusterKill = [.. (await Results(client.Grains())).Select(s => s.SeedId)];
                processes[0].Kill();
                processes[1].Kill();
                executionsAtClusterKill = [.. Enumerable.Range(0, 3).Select(i => Executed(data, $"silo{i}").Length)];
                await client.StopAsync();
            }

            Assert.InRange(finishedBeforeClusterKill.Count, 30, Trials - 1);
            await DisposeAll(processes);

            // A new cluster (fresh ports, same storage and service id) resumes the sweep. It is deployed under a
            // new cluster id, as a redeployment is, so it does not wait for the dead silos' membership rows to be voted out.
            clusterId += "-2";
            processes.AddRange(await Task.WhenAll(Enumerable.Range(0, 3).Select(i => GridProcesses.StartSilo(Silo(i)))));
            started.AddRange(processes);
            using (var client = await GridProcesses.StartClient(ClusteringMode.Azure, clusterId, azurite.ConnectionString, 0))
            {
                SweepStatus status;
                try
                {
                    status = await GridProcesses.WaitThrough(client.Grains(), "faults", s => s.State != SweepState.Running, TimeSpan.FromSeconds(120));
                }
                catch (TimeoutException)
                {
                    foreach (var e in await client.Grains().GetGrain<ISweepGrain>("faults").GetResults())
                    {
                        foreach (var seed in e.Seeds.Where(s => s.State != SeedState.Succeeded))
                        {
                            var id = SweepExpansion.SeedId(e.Id, seed.Seed);
                            output.WriteLine($"{id}: {seed.State} {await client.Grains().GetGrain<ISeedGrain>(id).GetStatus()}");
                        }
                    }

                    throw;
                }

                output.WriteLine($"completed at {watch.Elapsed:mm\\:ss}: {status.Counts}");
                foreach (var e in await client.Grains().GetGrain<ISweepGrain>("faults").GetResults())
                {
                    foreach (var seed in e.Seeds.Where(s => s.State != SeedState.Succeeded || s.Attempts > 1))
                    {
                        var id = SweepExpansion.SeedId(e.Id, seed.Seed);
                        output.WriteLine($"{id}: {await client.Grains().GetGrain<ISeedGrain>(id).GetStatus()}");
                    }
                }

                Assert.Equal(SweepState.Completed, status.State);
                Assert.Equal(Trials, status.Counts.Succeeded);
                var results = await client.Grains().GetGrain<ISweepGrain>("faults").GetResults();
                var seeds = results.SelectMany(e => e.Seeds.Select(s => (Experiment: e, Seed: s))).ToList();

                // Every seed has exactly one recorded result, equal to what an uninterrupted run records
                // (the synthetic trial's metrics are a function of its experiment and seed only).
                Assert.Equal(Trials, seeds.Count);
                Assert.Equal(Trials, seeds.Select(s => SweepExpansion.SeedId(s.Experiment.Id, s.Seed.Seed)).Distinct().Count());
                foreach (var (experiment, seed) in seeds)
                {
                    Assert.Equal(SeedState.Succeeded, seed.State);
                    var expected = NoOpTrialExecutor.SyntheticMetrics(new TrialAssignment(SweepExpansion.SeedId(experiment.Id, seed.Seed), experiment.Id, experiment.Config, seed.Seed, 1, Guid.Empty, default));
                    Assert.Equal(expected.OrderBy(m => m.Key), seed.Metrics!.OrderBy(m => m.Key));
                    Assert.Equal(Seeds, experiment.Metrics.Single(m => m.Name == "seed").N);
                }

                // The dead worker's running trials ran again elsewhere.
                foreach (var seedId in inFlightOnKilledSilo)
                {
                    var (_, seed) = seeds.Single(s => SweepExpansion.SeedId(s.Experiment.Id, s.Seed.Seed) == seedId);
                    Assert.False(seed.Worker!.StartsWith("silo2/cpu", StringComparison.Ordinal) && seed.Attempts == 1, $"{seedId} by {seed.Worker}");
                }

                await client.StopAsync();
            }

            // Seeds finished before the cluster died were never run again. (Before that, a trial whose seed grain
            // lived on the killed silo may have lost its lease while the cluster noticed the death: it ran again,
            // and fencing kept only one result.)
            var executions = AllExecutions(data);
            var afterRestart = Enumerable.Range(0, 3).SelectMany(i => Executed(data, $"silo{i}").Skip(executionsAtClusterKill[i])).ToList();
            Assert.Empty(afterRestart.Intersect(finishedBeforeClusterKill));
            output.WriteLine($"{executions.Count} executions for {Trials} trials, {afterRestart.Count} after the restart (re-runs are trials in flight at a kill)");
            Assert.Equal(Trials, executions.Distinct().Count());
        }
        catch
        {
            // What each silo process said (both clusters), the last of it, for whoever reads the failure.
            foreach (var process in started)
            {
                output.WriteLine($"--- {process.Name} ---\n{string.Join('\n', process.Output.Split('\n').TakeLast(150))}");
            }

            throw;
        }
        finally
        {
            await DisposeAll(processes);
            Directory.Delete(data, recursive: true);
        }
    }

    /// <summary>Succeeded seeds, asking again while grains of a dead silo are being moved (bounded).</summary>
    private static async Task<List<(string SeedId, string Worker)>> Results(IGrainFactory grains)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                var results = await grains.GetGrain<ISweepGrain>("faults").GetResults().WaitAsync(TimeSpan.FromSeconds(30));
                return [.. results.SelectMany(e => e.Seeds.Where(s => s.State == SeedState.Succeeded).Select(s => (SweepExpansion.SeedId(e.Id, s.Seed), s.Worker ?? "")))];
            }
            catch (Exception e) when (e is not OutOfMemoryException && watch.Elapsed < TimeSpan.FromSeconds(90))
            {
                await Task.Delay(500);
            }
        }
    }

    /// <summary>Every execution, silo by silo in log order (each silo's log only grows).</summary>
    private static List<string> AllExecutions(string data) => [.. Enumerable.Range(0, 3).SelectMany(i => Executed(data, $"silo{i}"))];

    private static string[] Executed(string data, string silo) =>
        [.. GridProcesses.Executions(Path.Combine(data, silo + ".log")).Select(l => l.Split(' ')[0])];

    internal static async Task DisposeAll(List<ChildProcess> processes)
    {
        foreach (var process in processes)
        {
            await process.DisposeAsync();
        }

        processes.Clear();
    }
}
