using System.Diagnostics;
using System.Globalization;
using Alpt.Grid.Abstractions.Seeds;
using Alpt.Grid.Abstractions.Sweeps;
using Alpt.Grid.Silo.Configuration;
using Xunit.Abstractions;

namespace Alpt.Grid.IntegrationTests;

/// <summary>
/// Azurite goes away for 30 s in the middle of a sweep on two silo processes, then comes back on the same
/// ports and data; and a silo process started while Azurite is away waits for it instead of dying.
/// </summary>
public sealed class StorageOutageTests(ITestOutputHelper output)
{
    private const int Trials = 32;

    [Fact]
    public async Task Silos_ride_out_30_seconds_without_storage_and_the_sweep_completes_with_nothing_lost()
    {
        var data = Repo.TempDirectory("alpt-outage");
        var clusterId = "outage-" + Guid.NewGuid().ToString("N")[..8];
        var sweepSpec = new SweepSpec { Name = "outage", Targets = ["seaquest"], Budgets = [10, 20], Methods = ["idm-target", "labelled-only"], Seeds = [0, 1, 2, 3, 4, 5, 6, 7] };
        await using var azurite = await Azurite.StartAsync();
        var processes = new List<ChildProcess>();
        var watch = Stopwatch.StartNew();
        try
        {
            processes.AddRange(await Task.WhenAll(Enumerable.Range(0, 2).Select(i => GridProcesses.StartSilo(new SiloSpec(
                $"silo{i}", ClusteringMode.Azure, clusterId, azurite.ConnectionString, Path.Combine(data, $"silo{i}"),
                LoopbackPorts.Free(), LoopbackPorts.Free(), "cpu*2", 1000, Path.Combine(data, $"silo{i}.log"), TimeSpan.FromSeconds(10))))));
            using var client = await GridProcesses.StartClient(ClusteringMode.Azure, clusterId, azurite.ConnectionString, 0);
            Assert.Equal(Trials, (await client.Grains().GetGrain<ISweepGrain>("outage").Launch(sweepSpec)).Trials);
            var before = await GridProcesses.WaitThrough(client.Grains(), "outage", s => s.Counts.Succeeded >= 4, TimeSpan.FromSeconds(60));

            await azurite.StopAsync();
            output.WriteLine($"storage stopped at {watch.Elapsed:mm\\:ss} with {before.Counts.Succeeded} succeeded");
            await Task.Delay(TimeSpan.FromSeconds(30));
            Assert.All(processes, p => Assert.False(p.HasExited, p.Output));
            await azurite.RestartAsync();
            output.WriteLine($"storage back at {watch.Elapsed:mm\\:ss}");

            var status = await GridProcesses.WaitThrough(client.Grains(), "outage", s => s.State != SweepState.Running, TimeSpan.FromSeconds(150));
            output.WriteLine($"completed at {watch.Elapsed:mm\\:ss}: {status.Counts}");
            Assert.Equal(SweepState.Completed, status.State);
            Assert.Equal(Trials, status.Counts.Succeeded);
            var results = await client.Grains().GetGrain<ISweepGrain>("outage").GetResults();
            var seeds = results.SelectMany(e => e.Seeds.Select(s => (SeedId: SweepExpansion.SeedId(e.Id, s.Seed), Seed: s))).ToList();
            Assert.Equal(Trials, seeds.Select(s => s.SeedId).Distinct().Count());
            Assert.All(seeds, s => Assert.Equal(SeedState.Succeeded, s.Seed.State));
            Assert.All(results, e => Assert.Equal(8, e.Metrics.Single(m => m.Name == "seed").N));
            var executions = Enumerable.Range(0, 2).SelectMany(i => GridProcesses.Executions(Path.Combine(data, $"silo{i}.log"))).ToList();
            output.WriteLine($"{executions.Count} executions for {Trials} trials (a trial whose report could not be stored in time ran again; fencing kept one result)");
            Assert.Equal(Trials, executions.Select(l => l.Split(' ')[0]).Distinct().Count());
            await client.StopAsync();
        }
        finally
        {
            await ClusterFaultTests.DisposeAll(processes);
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task A_silo_started_while_storage_is_down_waits_for_it_then_joins_and_runs_trials()
    {
        var data = Repo.TempDirectory("alpt-outage-start");
        var clusterId = "outage-start-" + Guid.NewGuid().ToString("N")[..8];
        await using var azurite = await Azurite.StartAsync();
        var processes = new List<ChildProcess>();
        Task<ChildProcess>? starting = null;
        try
        {
            await azurite.StopAsync();
            starting = GridProcesses.StartSilo(new SiloSpec(
                "silo0", ClusteringMode.Azure, clusterId, azurite.ConnectionString, Path.Combine(data, "silo0"),
                LoopbackPorts.Free(), LoopbackPorts.Free(), "cpu*2", 200, Path.Combine(data, "silo0.log"), TimeSpan.FromSeconds(10)));

            // Long enough for several failed starts (the first backoffs are 1, 2 and 4 s): the process is still there.
            await Task.Delay(TimeSpan.FromSeconds(8));
            Assert.False(starting.IsCompleted, starting.IsFaulted ? starting.Exception!.InnerException!.Message : "the silo started without storage");
            await azurite.RestartAsync();
            var back = Stopwatch.StartNew();
            var silo = await starting;
            processes.Add(silo);
            output.WriteLine($"silo up {back.Elapsed.TotalSeconds:0.0} s after storage came back");
            Assert.Contains("Storage does not answer at start", silo.Output, StringComparison.Ordinal);

            using var client = await GridProcesses.StartClient(ClusteringMode.Azure, clusterId, azurite.ConnectionString, 0);
            var spec = new SweepSpec { Name = "after-start", Targets = ["freeway"], Budgets = [10], Methods = ["labelled-only"], Seeds = [0, 1, 2, 3] };
            Assert.Equal(4, (await client.Grains().GetGrain<ISweepGrain>("after-start").Launch(spec)).Trials);
            var status = await GridProcesses.WaitThrough(client.Grains(), "after-start", s => s.State != SweepState.Running, TimeSpan.FromSeconds(60));
            Assert.Equal(SweepState.Completed, status.State);
            Assert.Equal(4, status.Counts.Succeeded);
            output.WriteLine($"sweep completed {back.Elapsed.TotalSeconds:0.0} s after storage came back");
            await client.StopAsync();
        }
        finally
        {
            if (starting is { IsCompletedSuccessfully: false })
            {
                // A failed assertion before the silo was up: it is stopped (or its start fails) here, not left running.
                await azurite.RestartAsync();
                try
                {
                    processes.Add(await starting);
                }
                catch (Exception e) when (e is InvalidOperationException or TimeoutException)
                {
                    output.WriteLine(e.Message);
                }
            }

            await ClusterFaultTests.DisposeAll(processes);
            Directory.Delete(data, recursive: true);
        }
    }
}

/// <summary>Where a silo listens and what it never shows: the storage secret.</summary>
public sealed class SecurityTests
{
    [Fact]
    public async Task The_storage_key_is_never_logged_nor_on_metrics_and_the_silo_binds_to_loopback()
    {
        var data = Repo.TempDirectory("alpt-security");
        await using var azurite = await Azurite.StartAsync();
        var metricsPort = LoopbackPorts.Free();
        var spec = new SiloSpec("secure", ClusteringMode.Azure, "sec-" + Guid.NewGuid().ToString("N")[..8], azurite.ConnectionString, data,
            LoopbackPorts.Free(), LoopbackPorts.Free(), "cpu*1", 10, Path.Combine(data, "executions.log"), TimeSpan.FromSeconds(10), MetricsPort: metricsPort);
        try
        {
            await using var silo = await GridProcesses.StartSilo(spec);
            using var client = await GridProcesses.StartClient(ClusteringMode.Azure, spec.ClusterId, azurite.ConnectionString, 0);
            var sweep = client.Grains().GetGrain<ISweepGrain>("sec");
            await sweep.Launch(new SweepSpec { Name = "sec", Targets = ["freeway"], Budgets = [10], Methods = ["oracle"], Seeds = [0, 1] });
            await GridProcesses.WaitFor(client.Grains(), "sec", s => s.State != SweepState.Running, TimeSpan.FromSeconds(60));
            using var http = new HttpClient();
            var metrics = await http.GetStringAsync(new Uri($"http://127.0.0.1:{metricsPort}/metrics"));
            await client.StopAsync();

            Assert.Contains("alpt_", metrics, StringComparison.Ordinal);
            foreach (var text in new[] { metrics, silo.Output })
            {
                Assert.DoesNotContain(Azurite.Secret, text, StringComparison.Ordinal);
                Assert.DoesNotContain(Azurite.Secret[..16], text, StringComparison.Ordinal);
                Assert.DoesNotContain("AccountKey", text, StringComparison.OrdinalIgnoreCase);
            }

            // The silo, gateway and (host unset) metrics ports listen on 127.0.0.1 only (the default), never on every interface.
            var listening = ListeningSockets();
            foreach (var port in new[] { spec.SiloPort, spec.GatewayPort, metricsPort })
            {
                var bound = listening.Where(l => l.Port == port).Select(l => l.Address).ToList();
                Assert.NotEmpty(bound);
                Assert.All(bound, a => Assert.Equal("127.0.0.1", a));
            }
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    /// <summary>Listening TCP sockets from /proc/net/tcp and tcp6 (address, port).</summary>
    private static List<(string Address, int Port)> ListeningSockets()
    {
        var sockets = new List<(string, int)>();
        foreach (var file in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            foreach (var line in File.ReadLines(file).Skip(1))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields[3] != "0A")
                {
                    continue;
                }

                var (hex, port) = (fields[1].Split(':')[0], int.Parse(fields[1].Split(':')[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                var address = hex.Length == 8
                    ? string.Join('.', Enumerable.Range(0, 4).Select(i => Convert.ToInt32(hex.Substring(6 - (2 * i), 2), 16)))
                    : hex == "00000000000000000000000000000000" ? "::" : hex == "0000000000000000FFFF00000100007F" ? "127.0.0.1" : "ipv6:" + hex;
                sockets.Add((address, port));
            }
        }

        return sockets;
    }
}
