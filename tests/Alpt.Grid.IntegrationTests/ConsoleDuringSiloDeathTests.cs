using System.Diagnostics;
using System.Text.RegularExpressions;
using Alpt.Grid.Abstractions.Sweeps;
using Alpt.Grid.Silo.Configuration;
using Xunit.Abstractions;

namespace Alpt.Grid.IntegrationTests;

/// <summary>
/// The `alpt` console used while a worker silo has just been SIGKILLed and the cluster has not yet
/// declared it dead (grains on it unreachable, calls to it refused): every command either succeeds
/// after waiting or fails with one clean line, never a stack trace.
/// </summary>
public sealed partial class ConsoleDuringSiloDeathTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Console_commands_run_in_a_killed_workers_death_window_succeed_after_waiting_or_fail_with_one_clean_line()
    {
        var data = Repo.TempDirectory("alpt-console-window");
        var clusterId = "window-" + Guid.NewGuid().ToString("N")[..8];
        await using var azurite = await Azurite.StartAsync();
        SiloSpec Silo(string name, string slots, int gatewayPort) => new(
            name, ClusteringMode.Azure, clusterId, azurite.ConnectionString, Path.Combine(data, name),
            LoopbackPorts.Free(), gatewayPort, slots, 1500, Path.Combine(data, name + ".log"), TimeSpan.FromSeconds(20));
        var gateway = LoopbackPorts.Free();
        var silos = new List<ChildProcess>();
        try
        {
            silos.AddRange(await Task.WhenAll(
                GridProcesses.StartSilo(Silo("coordinator", "none", gateway)),
                GridProcesses.StartSilo(Silo("worker1", "cpu*2", LoopbackPorts.Free())),
                GridProcesses.StartSilo(Silo("worker2", "cpu*2", LoopbackPorts.Free()))));
            // 12 experiments: the sweep's grains spread over the three silos, so some live on the one killed.
            var spec = new SweepSpec { Name = "window", Targets = ["freeway", "asterix"], Budgets = [10, 20, 30], Methods = ["idm-target", "labelled-only"], Seeds = [0, 1, 2, 3] };
            using (var client = await GridProcesses.StartClient(ClusteringMode.Azure, clusterId, azurite.ConnectionString, 0))
            {
                await client.Grains().GetGrain<ISweepGrain>("window").Launch(spec);
                await GridProcesses.WaitThrough(client.Grains(), "window", s => s.Counts.Succeeded >= 4, TimeSpan.FromSeconds(90));
                await client.StopAsync();
            }

            silos[2].Kill();
            var killed = Stopwatch.StartNew();
            var at = $"127.0.0.1:{gateway}";
            // Right after the kill, and then every 3 s while the cluster is declaring the silo dead.
            string[][] commands =
            [
                ["sweep", "status", "window", "--gateway", at],
                ["sweep", "results", "window", "--format", "json", "--gateway", at],
                ["sweep", "list", "--gateway", at],
                .. Enumerable.Range(0, 5).Select(_ => new[] { "sweep", "status", "window", "--json", "--gateway", at }),
            ];
            var runs = await Task.WhenAll(commands.Select(async (c, i) =>
            {
                await Task.Delay(TimeSpan.FromSeconds(Math.Max(0, i - 2) * 3));
                return await RunConsole(data, clusterId, c, killed);
            }));
            foreach (var run in runs)
            {
                output.WriteLine($"alpt {string.Join(' ', run.Args)}: started {run.StartedAfter.TotalSeconds:0.0} s after the SIGKILL, exit {run.Exit} after {run.Took.TotalSeconds:0.0} s{(run.Stderr.Contains("waiting for the grid", StringComparison.Ordinal) ? " (waited for the grid)" : "")}");
                output.WriteLine(string.Join('\n', (run.Stdout + run.Stderr).Split('\n').Take(12)));
            }

            foreach (var run in runs)
            {
                var all = run.Stdout + run.Stderr;
                Assert.False(StackFrame().IsMatch(all), $"alpt {string.Join(' ', run.Args)} printed a stack trace:\n{all}");
                if (run.Exit == 0)
                {
                    Assert.DoesNotContain("error:", all, StringComparison.Ordinal);
                }
                else
                {
                    Assert.Equal(1, run.Exit);
                    var lines = all.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(l => !l.StartsWith("waiting for the grid", StringComparison.Ordinal)).ToList();
                    Assert.True(lines.Count == 1 && lines[0].StartsWith("error: ", StringComparison.Ordinal), $"alpt {string.Join(' ', run.Args)} failed with more than one clean line:\n{all}");
                }
            }

            // What succeeded answered correctly.
            foreach (var run in runs.Where(r => r.Exit == 0 && r.Args.Contains("--json") && r.Args[1] == "status"))
            {
                using var json = System.Text.Json.JsonDocument.Parse(run.Stdout);
                Assert.Equal("window", json.RootElement.GetProperty("sweepId").GetString());
            }
        }
        catch
        {
            foreach (var silo in silos)
            {
                output.WriteLine($"--- {silo.Name} ---\n{string.Join('\n', silo.Output.Split('\n').TakeLast(60))}");
            }

            throw;
        }
        finally
        {
            await ClusterFaultTests.DisposeAll(silos);
            Directory.Delete(data, recursive: true);
        }
    }

    [GeneratedRegex(@"^\s+at \S+\(", RegexOptions.Multiline)]
    private static partial Regex StackFrame();

    private sealed record ConsoleRun(string[] Args, int Exit, string Stdout, string Stderr, TimeSpan StartedAfter, TimeSpan Took);

    /// <summary>The built `alpt` run to its end (bounded: its retry window is 60 s), stdout and stderr apart.</summary>
    private static async Task<ConsoleRun> RunConsole(string work, string clusterId, string[] args, Stopwatch sinceKill)
    {
        var info = new ProcessStartInfo("dotnet")
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

        info.Environment["ALPT_Grid__ClusterId"] = clusterId;
        var started = sinceKill.Elapsed;
        var watch = Stopwatch.StartNew();
        using var alpt = Process.Start(info) ?? throw new InvalidOperationException("could not start alpt");
        var stdout = alpt.StandardOutput.ReadToEndAsync();
        var stderr = alpt.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(150));
        try
        {
            await alpt.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            alpt.Kill(entireProcessTree: true);
            await alpt.WaitForExitAsync(CancellationToken.None);
            throw new TimeoutException($"alpt {string.Join(' ', args)} did not finish within 150 s:\n{await stdout}{await stderr}");
        }

        return new ConsoleRun(args, alpt.ExitCode, await stdout, await stderr, started, watch.Elapsed);
    }
}
