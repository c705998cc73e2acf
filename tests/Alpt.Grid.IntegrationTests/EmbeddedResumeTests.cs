using Alpt.Grid.Abstractions.Seeds;
using Alpt.Grid.Abstractions.Sweeps;
using Alpt.Grid.Silo.Configuration;

namespace Alpt.Grid.IntegrationTests;

public sealed class EmbeddedResumeTests
{
    [Fact]
    public async Task A_killed_embedded_silo_resumes_its_sweep_without_rerunning_finished_seeds()
    {
        var data = Repo.TempDirectory("alpt-embedded-resume");
        var log = Path.Combine(data, "executions.log");
        var spec = new SiloSpec("embedded", ClusteringMode.Embedded, "resume", null, Path.Combine(data, "grid"), LoopbackPorts.Free(), LoopbackPorts.Free(), "cpu*2", 150, log, TimeSpan.FromSeconds(3));
        var sweepSpec = new SweepSpec { Name = "resume", Targets = ["freeway", "asterix"], Budgets = [10, 20], Methods = ["labelled-only", "idm-target"], Seeds = [0, 1, 2, 3, 4] };
        try
        {
            HashSet<string> finishedBeforeKill;
            await using (var silo = await GridProcesses.StartSilo(spec))
            {
                using var client = await GridProcesses.StartClient(ClusteringMode.Embedded, spec.ClusterId, null, spec.GatewayPort);
                await client.Grains().GetGrain<ISweepGrain>("resume").Launch(sweepSpec);
                await GridProcesses.WaitFor(client.Grains(), "resume", s => s.Counts.Succeeded >= 10, TimeSpan.FromSeconds(60));
                finishedBeforeKill = await Succeeded(client.Grains());
                silo.Kill();
                await client.StopAsync();
            }

            Assert.InRange(finishedBeforeKill.Count, 10, 39);
            await using (var silo = await GridProcesses.StartSilo(spec))
            {
                using var client = await GridProcesses.StartClient(ClusteringMode.Embedded, spec.ClusterId, null, spec.GatewayPort);
                var status = await GridProcesses.WaitFor(client.Grains(), "resume", s => s.State != SweepState.Running, TimeSpan.FromSeconds(90));
                Assert.Equal(SweepState.Completed, status.State);
                Assert.Equal(40, status.Counts.Succeeded);
                await client.StopAsync();
                await silo.StopAsync(TimeSpan.FromSeconds(20));
            }

            var executions = GridProcesses.Executions(log).Select(l => l.Split(' ')[0]).ToArray();
            foreach (var seed in finishedBeforeKill)
            {
                Assert.Equal(1, executions.Count(e => e == seed));
            }

            // Only the trials in flight at the kill (at most one per slot) ran twice.
            Assert.InRange(executions.Length, 40, 42);
            Assert.Equal(40, executions.Distinct().Count());
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    private static async Task<HashSet<string>> Succeeded(IGrainFactory grains)
    {
        var results = await grains.GetGrain<ISweepGrain>("resume").GetResults();
        return [.. results.SelectMany(e => e.Seeds.Where(s => s.State == SeedState.Succeeded).Select(s => SweepExpansion.SeedId(e.Id, s.Seed)))];
    }
}
