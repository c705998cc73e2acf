using System.Globalization;
using Alpt.Grid.IntegrationTests;
using Alpt.Grid.Observability.Tests;

namespace Alpt.Grid.Deployment.Tests;

/// <summary>
/// The compose cluster without Docker: Azurite, the coordinator and two CPU workers as plain silo
/// processes with docker-compose.yml's own environment (only addresses, ports and the cluster id
/// changed for loopback), Prometheus scraping all three, and the console — with the compose
/// console service's environment — launching the `smoke` sweep and watching it to the end.
/// </summary>
public sealed class LoopbackClusterTests
{
    private static readonly TimeSpan SweepLimit = TimeSpan.FromMinutes(15); // smoke trials take seconds on an idle machine; ours is shared

    [Fact]
    public async Task The_compose_configuration_as_plain_processes_forms_a_cluster_that_runs_the_smoke_sweep()
    {
        await using var azurite = await Azurite.StartAsync();
        var clusterId = "deploy-" + Guid.NewGuid().ToString("N")[..8];
        var work = Repo.TempDirectory("alpt-deploy");
        var silos = new List<(ChildProcess Process, int MetricsPort)>();
        var dashboardPorts = new List<int>();
        try
        {
            foreach (var service in (string[])["coordinator", "worker-cpu", "worker-cpu"])
            {
                var metricsPort = LoopbackPorts.Free();
                var env = Loopback(ComposeEnvironment(service), azurite.ConnectionString, clusterId, metricsPort);
                dashboardPorts.Add(int.Parse(env["ALPT_Grid__Dashboard__Port"], CultureInfo.InvariantCulture));
                env["ALPT_Grid__Executor__ExecutionLog"] = Path.Combine(work, $"executions-{silos.Count}.log");
                var silo = ChildProcess.Start($"{service}-{silos.Count}", "dotnet", [Path.Combine(Repo.SiloDirectory, "Alpt.Grid.Silo.dll")], Repo.SiloDirectory, env);
                silos.Add((silo, metricsPort));
                await silo.WaitForOutput("slot", TimeSpan.FromSeconds(120));
            }

            Assert.Contains("has no slots", silos[0].Process.Output, StringComparison.Ordinal);

            using var cancel = new CancellationTokenSource(SweepLimit);
            await using var prometheus = await PrometheusServer.StartAsync(silos.Select(s => new Uri($"http://127.0.0.1:{s.MetricsPort}/metrics")), cancel.Token);

            var console = ComposeEnvironment("console");
            console["ALPT_Grid__StorageConnectionString"] = azurite.ConnectionString;
            console["ALPT_Grid__ClusterId"] = clusterId;
            var launch = await RunConsole(work, console, ["sweep", "launch", "--preset", "smoke"], TimeSpan.FromMinutes(2));
            Assert.True(launch.Exit == 0, launch.Output);
            Assert.Contains($"cluster '{clusterId}'", launch.Output, StringComparison.Ordinal);

            var watch = await RunConsole(work, console, ["sweep", "watch", "smoke"], SweepLimit);
            Assert.True(watch.Exit == 0, watch.Output);
            var flat = System.Text.RegularExpressions.Regex.Replace(watch.Output, @"\s+", " ");
            Assert.Contains("sweep smoke completed: 21 succeeded, 0 failed of 21", flat, StringComparison.Ordinal);

            // Each seed's training curves were stored with its result in the Azure table, and read back from there.
            var results = await RunConsole(work, console, ["sweep", "results", "smoke", "--format", "json", "--curves"], TimeSpan.FromMinutes(2));
            Assert.True(results.Exit == 0, results.Output);
            using (var json = System.Text.Json.JsonDocument.Parse(results.Output[results.Output.IndexOf('{', StringComparison.Ordinal)..]))
            {
                var trials = json.RootElement.GetProperty("trials").EnumerateArray().ToList();
                Assert.Equal(21, trials.Count);
                Assert.All(trials, t => Assert.Contains(t.GetProperty("curves").EnumerateArray(), c => c.GetProperty("phase").GetString() == "policy" && c.GetProperty("values").GetArrayLength() > 0));
            }

            // Every trial ran once, on a worker (the coordinator has no slots).
            var executions = Enumerable.Range(0, silos.Count).SelectMany(i => Executions(Path.Combine(work, $"executions-{i}.log"))).ToList();
            Assert.Equal(21, executions.Select(line => line.Split(' ')[0]).Distinct().Count());
            Assert.Empty(Executions(Path.Combine(work, "executions-0.log")));

            // Prometheus sees the three silos up (it scrapes every second; wait for the first rounds).
            double? up = null;
            while (!cancel.IsCancellationRequested && (up = await prometheus.ValueAsync("sum(up{job=\"alpt-silo\"})", cancel.Token)) != 3)
            {
                await Task.Delay(500, cancel.Token);
            }

            Assert.True(up == 3, await prometheus.TargetHealthAsync(CancellationToken.None));
            // And the grid's own metrics arrive from the cluster: 21 trials (the oracle once, not per budget) finished, counted once.
            const string Finished = "sum(alpt_trials_finished_total{outcome=\"succeeded\"})";
            double? finished = null;
            while (!cancel.IsCancellationRequested && (finished = await prometheus.ValueAsync(Finished, cancel.Token)) != 21)
            {
                await Task.Delay(500, cancel.Token);
            }

            Assert.Equal(21, finished);

            // The coordinator's Orleans dashboard (compose publishes it) sees the whole cluster: three active silos.
            using var http = new HttpClient();
            var active = 0;
            while (!cancel.IsCancellationRequested && active != 3)
            {
                using var counters = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync(new Uri($"http://127.0.0.1:{dashboardPorts[0]}/DashboardCounters"), cancel.Token));
                active = counters.RootElement.GetProperty("hosts").EnumerateArray().Count(h => h.GetProperty("status").GetString() == "Active");
                if (active != 3)
                {
                    await Task.Delay(500, cancel.Token);
                }
            }

            Assert.Equal(3, active);
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException)
        {
            throw new InvalidOperationException(e.Message + "\n" + string.Join("\n\n", silos.Select(s => s.Process.Output)), e);
        }
        finally
        {
            foreach (var (silo, _) in silos)
            {
                await silo.StopAsync(TimeSpan.FromSeconds(10));
                await silo.DisposeAsync();
            }

            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>Lines "seedId attempt worker" the executor appended, one per execution.</summary>
    private static string[] Executions(string log) => File.Exists(log) ? File.ReadAllLines(log) : [];

    /// <summary>A compose service's environment with compose's interpolation applied (values from .env.example).</summary>
    private static Dictionary<string, string> ComposeEnvironment(string service)
    {
        var compose = Repository.YamlDocuments("docker-compose.yml").Single();
        return compose.Map("services").Map(service).Environment().ToDictionary(e => e.Key, e => Repository.Interpolate(e.Value), StringComparer.Ordinal);
    }

    /// <summary>The same keys, with what differs between containers and one machine's loopback.</summary>
    private static Dictionary<string, string> Loopback(Dictionary<string, string> env, string connectionString, string clusterId, int metricsPort)
    {
        env["ALPT_Grid__StorageConnectionString"] = connectionString;
        env["ALPT_Grid__ClusterId"] = clusterId;
        env["ALPT_Grid__SiloPort"] = LoopbackPorts.Free().ToString(CultureInfo.InvariantCulture);
        env["ALPT_Grid__GatewayPort"] = LoopbackPorts.Free().ToString(CultureInfo.InvariantCulture);
        env["ALPT_Grid__ListenOnAnyAddress"] = "false";
        env["ALPT_Grid__Metrics__Host"] = "127.0.0.1";
        env["ALPT_Grid__Metrics__Port"] = metricsPort.ToString(CultureInfo.InvariantCulture);
        // Each silo its own dashboard port on one machine; loopback, as compose publishes the coordinator's on the host.
        Assert.True(env.ContainsKey("ALPT_Grid__Dashboard__Port"), "compose gives every silo a dashboard port");
        env["ALPT_Grid__Dashboard__Host"] = "127.0.0.1";
        env["ALPT_Grid__Dashboard__Port"] = LoopbackPorts.Free().ToString(CultureInfo.InvariantCulture);
        // In a container silo-entrypoint.sh sets the container's address; here every silo is on loopback.
        env["ALPT_Grid__AdvertisedAddress"] = "127.0.0.1";
        return env;
    }

    /// <summary>The built `alpt` console run to its end (killed past <paramref name="limit"/>), as `docker compose run console …` would.</summary>
    private static async Task<(int Exit, string Output)> RunConsole(string work, Dictionary<string, string> env, string[] args, TimeSpan limit)
    {
        var info = new System.Diagnostics.ProcessStartInfo("dotnet")
        {
            WorkingDirectory = work,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(Repo.Root, "src", "Alpt.Grid.Console", "bin", Repo.Configuration, "net10.0", "alpt.dll"));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in env)
        {
            info.Environment[key] = value;
        }

        using var alpt = System.Diagnostics.Process.Start(info) ?? throw new InvalidOperationException("could not start alpt");
        var stdout = alpt.StandardOutput.ReadToEndAsync();
        var stderr = alpt.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            await alpt.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            alpt.Kill(entireProcessTree: true);
            await alpt.WaitForExitAsync(CancellationToken.None);
            throw new TimeoutException($"alpt {string.Join(' ', args)} did not finish within {limit}:\n{await stdout}{await stderr}");
        }

        return (alpt.ExitCode, await stdout + await stderr);
    }
}
