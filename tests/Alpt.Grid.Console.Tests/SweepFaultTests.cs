using System.Text.Json;

namespace Alpt.Grid.Console.Tests;

/// <summary>
/// Trials that throw, hang and run out of memory, through the console's embedded grid with the
/// synthetic executor: each is retried up to the limit, then failed with its error shown by
/// `sweep status` and `sweep results`; the healthy trials of the same sweep succeed.
/// </summary>
public sealed class SweepFaultTests : IDisposable
{
    // Seed 0 succeeds, 1 throws, 2 hangs, 3 runs out of memory; two methods, so two of each.
    private const string Spec = """
        name: faults
        targets: [freeway]
        budgets: [100]
        methods: [idm-target, oracle]
        seeds: 4
        maxAttempts: 2
        """;

    private readonly AlptSandbox sandbox = new();

    public void Dispose() => sandbox.Dispose();

    [Fact]
    public void Throwing_hung_and_out_of_memory_trials_fail_after_their_retries_with_the_error_shown_and_the_rest_succeeds()
    {
        File.WriteAllText(sandbox.PathOf("faults.yaml"), Spec);
        sandbox.Environment["ALPT_Grid__Executor__Kind"] = "synthetic";
        sandbox.Environment["ALPT_Grid__Executor__DelayMilliseconds"] = "100";
        sandbox.Environment["ALPT_Grid__Executor__ThrowSeeds__0"] = "1";
        sandbox.Environment["ALPT_Grid__Executor__HangSeeds__0"] = "2";
        sandbox.Environment["ALPT_Grid__Executor__OutOfMemorySeeds__0"] = "3";
        sandbox.Environment["ALPT_Grid__Executor__ExecutionLog"] = sandbox.PathOf("executions.log");
        // A hung trial is noticed after 2 s without progress, checked at every heartbeat.
        sandbox.Environment["ALPT_Grid__TrialStallTimeout"] = "00:00:02";
        sandbox.Environment["ALPT_Grid__HeartbeatInterval"] = "00:00:00.500";

        var (runExit, runOutput) = AlptProcess.Run(sandbox, "sweep", "run", "faults.yaml");
        var (statusExit, statusOutput) = AlptProcess.Run(sandbox, "sweep", "status", "faults");
        var (tableExit, tableOutput) = AlptProcess.Run(sandbox, "sweep", "results", "faults");
        var (jsonExit, jsonOutput) = AlptProcess.Run(sandbox, "sweep", "results", "faults", "--format", "json");

        Assert.True(runOutput.Contains("failed", StringComparison.Ordinal), $"exit {runExit}:\n{runOutput}");
        Assert.True(statusExit == 0, statusOutput);
        var status = AlptProcess.Unwrapped(statusOutput);
        Assert.Contains("completed", status, StringComparison.Ordinal);
        Assert.True(tableExit == 0, tableOutput);
        var table = AlptProcess.Unwrapped(tableOutput);
        Assert.True(jsonExit == 0, jsonOutput);
        using var json = JsonDocument.Parse(jsonOutput);
        var trials = json.RootElement.GetProperty("trials").EnumerateArray().Select(t => (
            Seed: t.GetProperty("seed").GetInt32(),
            State: t.GetProperty("state").GetString()!,
            Attempts: t.GetProperty("attempts").GetInt32(),
            Error: t.GetProperty("error").GetString())).ToList();
        Assert.Equal(8, trials.Count);
        Assert.All(trials.Where(t => t.Seed == 0), t => Assert.Equal(("succeeded", 1), (t.State, t.Attempts)));
        foreach (var (seed, error) in new[]
        {
            (1, "InvalidOperationException: synthetic failure of seed 1 (always fails)"),
            (2, "made no progress for 00:00:02 (hung)"),
            (3, "OutOfMemoryException: synthetic out of memory in seed 3"),
        })
        {
            Assert.All(trials.Where(t => t.Seed == seed), t =>
            {
                Assert.Equal(("failed", 2), (t.State, t.Attempts));
                Assert.Contains(error, t.Error, StringComparison.Ordinal);
            });
            Assert.Contains(error, table, StringComparison.Ordinal);
            Assert.Contains(error, status, StringComparison.Ordinal);
        }

        // Each faulty trial ran exactly its two attempts; the healthy ones once.
        var executions = File.ReadAllLines(sandbox.PathOf("executions.log")).Select(l => l.Split(' ')[0]).GroupBy(s => s).ToList();
        Assert.Equal(8, executions.Count);
        Assert.Equal(2 + (6 * 2), executions.Sum(g => g.Count()));
    }
}
