using Alpt.Grid.Abstractions.Experiments;
using Alpt.Grid.Abstractions.Sweeps;
using Alpt.Grid.Silo.Configuration;

namespace Alpt.Grid.IntegrationTests;

public sealed class ClusterTests
{
    [Fact]
    public async Task Three_silo_processes_on_azurite_share_a_sweep_and_keep_it_across_a_full_restart()
    {
        var data = Repo.TempDirectory("alpt-cluster");
        // One execution log per silo: appends from several processes to one file can overwrite each other.
        string Log(int silo) => Path.Combine(data, $"silo{silo}.log");
        string[] Executions() => [.. Enumerable.Range(0, 3).SelectMany(i => GridProcesses.Executions(Log(i)))];
        var clusterId = "it-" + Guid.NewGuid().ToString("N")[..8];
        var sweepSpec = new SweepSpec { Name = "spread", Targets = ["seaquest", "breakout"], Budgets = [10, 20, 30], Methods = ["idm-target", "labelled-only"], Seeds = [0, 1, 2, 3, 4] };
        await using var azurite = await Azurite.StartAsync();
        SiloSpec[] silos = [.. Enumerable.Range(0, 3).Select(i => new SiloSpec(
            $"silo{i}", ClusteringMode.Azure, clusterId, azurite.ConnectionString, Path.Combine(data, $"silo{i}"),
            LoopbackPorts.Free(), LoopbackPorts.Free(), "cpu*2", 100, Log(i), TimeSpan.FromSeconds(20)))];
        try
        {
            ExperimentSummary[] before;
            var processes = await Task.WhenAll(silos.Select(GridProcesses.StartSilo));
            try
            {
                using var client = await GridProcesses.StartClient(ClusteringMode.Azure, clusterId, azurite.ConnectionString, 0);
                var launch = await client.Grains().GetGrain<ISweepGrain>("spread").Launch(sweepSpec);
                Assert.Equal(60, launch.Trials);
                var status = await GridProcesses.WaitFor(client.Grains(), "spread", s => s.State != SweepState.Running, TimeSpan.FromSeconds(120));
                Assert.Equal(60, status.Counts.Succeeded);
                before = await client.Grains().GetGrain<ISweepGrain>("spread").GetResults();

                // Work spread over the silos' slots, and every trial ran exactly once.
                var workers = before.SelectMany(e => e.Seeds).Select(s => s.Worker!.Split('/')[0]).Distinct().ToArray();
                Assert.True(workers.Length >= 2, "trials ran on " + string.Join(", ", workers));
                var executions = Executions();
                Assert.Equal(60, executions.Length);
                Assert.Equal(60, executions.Select(l => l.Split(' ')[0]).Distinct().Count());
                await client.StopAsync();
            }
            finally
            {
                await Task.WhenAll(processes.Select(p => p.StopAsync(TimeSpan.FromSeconds(30))));
                foreach (var process in processes)
                {
                    await process.DisposeAsync();
                }
            }

            // The whole cluster was down; a new one (fresh ports) finds the sweep as it was.
            SiloSpec[] restarted = [.. silos.Take(2).Select(s => s with { SiloPort = LoopbackPorts.Free(), GatewayPort = LoopbackPorts.Free() })];
            var again = await Task.WhenAll(restarted.Select(GridProcesses.StartSilo));
            try
            {
                using var client = await GridProcesses.StartClient(ClusteringMode.Azure, clusterId, azurite.ConnectionString, 0);
                var sweep = client.Grains().GetGrain<ISweepGrain>("spread");
                var status = await sweep.GetStatus();
                Assert.Equal(SweepState.Completed, status.State);
                Assert.Equal(60, status.Counts.Succeeded);
                var after = await sweep.GetResults();
                Assert.Equal(
                    before.SelectMany(e => e.Seeds.Select(s => (e.Id, s.Seed, s.Metrics!["normalized_return"]))).Order(),
                    after.SelectMany(e => e.Seeds.Select(s => (e.Id, s.Seed, s.Metrics!["normalized_return"]))).Order());
                Assert.Contains(await client.Grains().GetGrain<ISweepRegistryGrain>(0).List(), e => e.SweepId == "spread");
                Assert.False((await sweep.Launch(sweepSpec)).Created);
                Assert.Equal(60, Executions().Length);
                await client.StopAsync();
            }
            finally
            {
                await Task.WhenAll(again.Select(p => p.StopAsync(TimeSpan.FromSeconds(30))));
                foreach (var process in again)
                {
                    await process.DisposeAsync();
                }
            }
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }
}
