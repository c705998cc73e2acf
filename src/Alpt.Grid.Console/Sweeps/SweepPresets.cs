using Alpt.Grid.Abstractions.Sweeps;

namespace Alpt.Grid.Console.Sweeps;

/// <summary>
/// Named sweeps, written in the same YAML a user would write (examples/sweep.yaml documents it).
/// Sized by measurement on a 2-core machine: see docs/ARCHITECTURE.md, "The console's sweep commands".
/// </summary>
public static class SweepPresets
{
    /// <summary>
    /// A tiny real sweep: every method, two budgets (the oracle once: it sees every label), three seeds:
    /// 7 experiments, 21 smoke-sized trials (seconds on 2 cores).
    /// </summary>
    public const string Smoke = """
        name: smoke
        preset: smoke
        targets: [freeway]
        sourceSets: [[asterix]]
        budgets: [100, 400]
        methods: [labelled-only, idm-target, alpt, oracle]
        seeds: 3
        """;

    /// <summary>
    /// Shows the ALPT effect on one target: source sets none (idm-target), one and all others, a budget of
    /// 1% of the target data, the four methods, 3 seeds (5 experiments, 15 trials). Space Invaders, because its
    /// rare movement actions make its IDM labels the ones sources improve most at this size (docs/LEARNING.md);
    /// breakout's IDM is already near 100% from the target slice alone. One budget, since the policy now trains
    /// 1,000 steps (a trial is about a minute and a half on one core); results in docs/results/QUICK.md.
    /// </summary>
    public const string Quick = """
        name: quick
        preset: quick
        targets: [space-invaders]
        sourceSets: [one-other, all-others]
        budgets: [250]
        methods: [labelled-only, idm-target, alpt, oracle]
        seeds: 3
        """;

    /// <summary>
    /// The full grid: five targets, source sets none / one / all others, budgets from 250 transitions through 1, 3 and 12 minutes
    /// of play to 10% of the 250,000-transition target data, the
    /// oracle once per target, 5 seeds: 105 experiments, 525 trials (hours; for a GPU cluster).
    /// </summary>
    public const string Paper = """
        name: paper
        preset: paper
        targets: [breakout, space-invaders, freeway, asterix, seaquest]
        sourceSets: [one-other, all-others]
        budgets: [250, 1min, 3min, 12min, 10%]
        methods: [labelled-only, idm-target, alpt, oracle]
        seeds: 5
        """;

    public static IReadOnlyList<string> Names { get; } = ["smoke", "quick", "paper"];

    public static SweepDefinition Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var yaml = name.Trim().ToLowerInvariant() switch
        {
            "smoke" => Smoke,
            "quick" => Quick,
            "paper" => Paper,
            _ => throw new InvalidSweepSpecException($"sweep preset '{name}' is not known (presets: {string.Join(", ", Names)})"),
        };
        return SweepYaml.Parse(yaml, name, $"preset {name}");
    }
}
