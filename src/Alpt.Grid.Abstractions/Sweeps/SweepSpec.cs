namespace Alpt.Grid.Abstractions.Sweeps;

/// <summary>
/// A sweep: targets × variants × source sets × budgets × methods × disjoint-actions × eval variants
/// × seeds, with one trial preset and hyperparameter overrides shared by every trial.
/// </summary>
/// <remarks>
/// Budgets are annotation budgets in labelled target transitions. A source set is a list of source
/// game names; the empty set means "target only". Methods that do not use sources (everything but
/// <c>alpt</c>) are expanded once, with the empty source set, whatever the source sets listed; likewise
/// the oracle, which trains on every true label, is expanded once with budget
/// <see cref="Experiments.ExperimentConfig.AllLabels"/>, whatever the budgets listed; and disjoint actions
/// multiply only alpt (the others run once with shared actions, which is all they have).
/// </remarks>
[GenerateSerializer, Immutable]
[Alias("alpt.SweepSpec")]
public sealed record SweepSpec
{
    /// <summary>A human name; also the default sweep id when no id is given.</summary>
    [Id(0)] public string Name { get; init; } = "";

    [Id(1)] public string[] Targets { get; init; } = [];

    [Id(2)] public string[] Variants { get; init; } = [Catalogue.GridCatalogue.DefaultVariant];

    [Id(3)] public string[][] SourceSets { get; init; } = [[]];

    [Id(4)] public int[] Budgets { get; init; } = [];

    [Id(5)] public string[] Methods { get; init; } = [];

    /// <summary>The seeds to run for every experiment (e.g. 0..4).</summary>
    [Id(6)] public int[] Seeds { get; init; } = [];

    /// <summary>The trial preset (model sizes, steps) every trial starts from.</summary>
    [Id(7)] public string Preset { get; init; } = "quick";

    /// <summary>Hyperparameter overrides on top of the preset, by name.</summary>
    [Id(8)] public Dictionary<string, string> Overrides { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Whether source games get action ids disjoint from the target's (claim 3): a grid dimension.</summary>
    [Id(9)] public bool[] DisjointActions { get; init; } = [false];

    /// <summary>The target variant policies are evaluated in; empty means "the training variant".</summary>
    [Id(10)] public string[] EvalVariants { get; init; } = [""];

    /// <summary>Attempts per seed before it is marked failed.</summary>
    [Id(11)] public int MaxAttempts { get; init; } = 3;

    /// <summary>The kind of worker slot its trials may run on (cuda, cpu, or any: the default).</summary>
    [Id(20)] public Trials.DeviceKind Device { get; init; } = Trials.DeviceKind.Any;

    /// <summary>Number of trials this spec expands to (before validation; saturates at long.MaxValue).</summary>
    public long TrialCount()
    {
        long methodCombos = 0;
        foreach (var method in Methods)
        {
            long sources = Catalogue.GridCatalogue.UsesSources(method) ? SourceSets.Length : 1;
            long budgets = Catalogue.GridCatalogue.UsesBudget(method) ? Budgets.Length : 1;
            long disjoint = Catalogue.GridCatalogue.UsesDisjointActions(method) ? DisjointActions.Length : 1;
            methodCombos = checked(methodCombos + (sources * budgets * disjoint));
        }

        return checked((long)Targets.Length * Variants.Length * EvalVariants.Length * methodCombos * Seeds.Length);
    }
}
