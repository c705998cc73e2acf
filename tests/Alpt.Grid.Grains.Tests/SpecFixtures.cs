using Alpt.Grid.Abstractions.Sweeps;

namespace Alpt.Grid.Grains.Tests;

internal static class SpecFixtures
{
    /// <summary>breakout × {[], [freeway], [freeway, asterix]} × {100, 400} × 4 methods × 3 seeds.</summary>
    public static SweepSpec Small(string name) => new()
    {
        Name = name,
        Targets = ["breakout"],
        SourceSets = [[], ["freeway"], ["freeway", "asterix"]],
        Budgets = [100, 400],
        Methods = ["labelled-only", "idm-target", "alpt", "oracle"],
        Seeds = [0, 1, 2],
        MaxAttempts = 2,
    };

    /// <summary>
    /// One experiment with the given seeds. Experiments are keyed by their config alone (two sweeps with
    /// the same cell share it), so the budget is derived from the name to keep tests apart.
    /// </summary>
    public static SweepSpec Single(string name, int seeds, int maxAttempts = 2) => new()
    {
        Name = name,
        Targets = ["freeway"],
        SourceSets = [[]],
        Budgets = [1 + Abstractions.Queue.QueuePartitions.Of(name, 100_000)],
        Methods = ["idm-target"],
        Seeds = [.. Enumerable.Range(0, seeds)],
        MaxAttempts = maxAttempts,
    };
}
