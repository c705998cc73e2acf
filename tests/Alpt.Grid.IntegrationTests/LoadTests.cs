using System.Diagnostics;
using Alpt.Grid.Abstractions.Queue;
using Alpt.Grid.Abstractions.Seeds;
using Alpt.Grid.Abstractions.Sweeps;
using Alpt.Grid.Silo.Configuration;
using Xunit.Abstractions;

namespace Alpt.Grid.IntegrationTests;

/// <summary>Thousands of no-op trials through the full grain path on three silo processes with Azure Table state on Azurite.</summary>
public sealed class LoadTests(ITestOutputHelper output)
{
    // 5 targets × 10 budgets × 2 methods × 50 seeds.
    private const int Trials = 5000;

    [Fact]
    public async Task Five_thousand_no_op_trials_over_three_silos_each_record_one_result()
    {
        var data = Repo.TempDirectory("alpt-load");
        var clusterId = "load-" + Guid.NewGuid().ToString("N")[..8];
        var sweepSpec = new SweepSpec
        {
            Name = "load",
            Targets = ["breakout", "space-invaders", "freeway", "asterix", "seaquest"],
            Budgets = [.. Enumerable.Range(1, 10).Select(b => b * 10)],
            Methods = ["idm-target", "labelled-only"],
            Seeds = [.. Enumerable.Range(0, 50)],
        };
        await using var azurite = await Azurite.StartAsync();
        var processes = new List<ChildProcess>();
        try
        {
            processes.AddRange(await Task.WhenAll(Enumerable.Range(0, 3).Select(i => GridProcesses.StartSilo(new SiloSpec(
                $"silo{i}", ClusteringMode.Azure, clusterId, azurite.ConnectionString, Path.Combine(data, $"silo{i}"),
                LoopbackPorts.Free(), LoopbackPorts.Free(), "cpu*4", 0, Path.Combine(data, $"silo{i}.log"), TimeSpan.FromSeconds(10), Executor: "noop")))));
            using var client = await GridProcesses.StartClient(ClusteringMode.Azure, clusterId, azurite.ConnectionString, 0);
            var watch = Stopwatch.StartNew();
            Assert.Equal(Trials, (await client.Grains().GetGrain<ISweepGrain>("load").Launch(sweepSpec)).Trials);
            var launched = watch.Elapsed;
            var status = await GridProcesses.WaitThrough(client.Grains(), "load", s => s.State != SweepState.Running, TimeSpan.FromMinutes(4));
            var elapsed = watch.Elapsed;

            Assert.Equal(SweepState.Completed, status.State);
            Assert.Equal(Trials, status.Counts.Succeeded);
            var results = await client.Grains().GetGrain<ISweepGrain>("load").GetResults();
            var seeds = results.SelectMany(e => e.Seeds.Select(s => (SweepExpansion.SeedId(e.Id, s.Seed), s))).ToList();
            Assert.Equal(Trials, seeds.Count);
            Assert.Equal(Trials, seeds.Select(s => s.Item1).Distinct().Count());
            Assert.All(seeds, s => Assert.Equal(SeedState.Succeeded, s.s.State));
            var expiries = 0L;
            for (var partition = 0; partition < 8; partition++)
            {
                expiries += (await client.Grains().GetGrain<IWorkQueueGrain>(partition).GetStats()).LeasesExpired;
            }

            var silos = seeds.GroupBy(s => s.s.Worker!.Split('/')[0]).Select(g => $"{g.Key}: {g.Count()}");
            output.WriteLine($"{Trials} no-op trials on 3 silos × 4 slots: launch {launched.TotalSeconds:F1} s, done in {elapsed.TotalSeconds:F1} s, " +
                $"{Trials / elapsed.TotalSeconds:F0} trials/s, {expiries} lease expiries, {seeds.Sum(s => s.s.Attempts) - Trials} extra attempts; by silo: {string.Join(", ", silos)}");
            await client.StopAsync();
        }
        finally
        {
            await ClusterFaultTests.DisposeAll(processes);
            Directory.Delete(data, recursive: true);
        }
    }
}
