using Alpt.Grid.Abstractions.Catalogue;

namespace Alpt.Grid.Abstractions.Sweeps;

/// <summary>A sweep spec that cannot run; the message lists every problem found.</summary>
[GenerateSerializer]
[Alias("alpt.InvalidSweepSpecException")]
public sealed class InvalidSweepSpecException : Exception
{
    public InvalidSweepSpecException()
    {
    }

    public InvalidSweepSpecException(string message)
        : base(message)
    {
    }

    public InvalidSweepSpecException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public InvalidSweepSpecException(IReadOnlyList<string> problems)
        : base("invalid sweep spec: " + string.Join("; ", problems))
    {
        Problems = [.. problems];
    }

    [Id(0)] public string[] Problems { get; init; } = [];
}

/// <summary>Checks a sweep spec against a catalogue before anything is stored.</summary>
public static class SweepValidation
{
    /// <summary>The largest grid a sweep may expand to: beyond it a typo (a seed range of 1e6) is more likely than intent.</summary>
    public const long MaxTrials = 100_000;

    public const int MaxAttemptsLimit = 100;

    public static IReadOnlyList<string> Problems(SweepSpec spec, GridCatalogue catalogue)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(catalogue);
        var problems = new List<string>();

        if (spec.Name.Length > 0 && !IsSafeName(spec.Name))
        {
            problems.Add($"name '{spec.Name}' may hold only letters, digits, '-', '_' and '.' (at most 80)");
        }

        Require(spec.Targets.Length > 0, "targets: at least one target game is needed");
        foreach (var target in spec.Targets)
        {
            Require(catalogue.IsGame(target), $"target '{target}' is not a known game ({string.Join(", ", catalogue.GamesAndVariants.Keys)})");
        }

        Duplicates("targets", spec.Targets);
        Require(spec.Variants.Length > 0, "variants: at least one variant is needed");
        Duplicates("variants", spec.Variants);
        foreach (var target in spec.Targets.Where(catalogue.IsGame))
        {
            foreach (var variant in spec.Variants.Where(v => !catalogue.IsVariant(target, v)))
            {
                problems.Add($"variant '{variant}' does not exist for '{target}' ({string.Join(", ", catalogue.GamesAndVariants[target])})");
            }

            foreach (var eval in spec.EvalVariants.Where(v => v.Length > 0 && !catalogue.IsVariant(target, v)))
            {
                problems.Add($"eval variant '{eval}' does not exist for '{target}'");
            }
        }

        Require(spec.SourceSets.Length > 0, "sourceSets: at least one source set is needed (use [] for none)");
        foreach (var set in spec.SourceSets)
        {
            var label = "[" + string.Join(", ", set) + "]";
            foreach (var source in set)
            {
                var (game, variant) = GridCatalogue.SplitSource(source);
                Require(catalogue.IsGame(game), $"source set {label}: '{game}' is not a known game");
                Require(variant is null || !catalogue.IsGame(game) || catalogue.IsVariant(game, variant), $"source set {label}: variant '{variant}' does not exist for '{game}'");
                Require(!spec.Targets.Contains(game, StringComparer.Ordinal), $"source set {label} contains the target '{game}'");
            }

            Require(set.Select(s => GridCatalogue.SplitSource(s).Game).Distinct(StringComparer.Ordinal).Count() == set.Length, $"source set {label} lists a source twice");
        }

        Require(spec.SourceSets.Select(s => string.Join(',', s.Order(StringComparer.Ordinal))).Distinct().Count() == spec.SourceSets.Length, "sourceSets: the same source set is listed twice");
        // A sweep of the oracle alone needs no budget (it sees every label); budgets listed are checked all the same.
        Require(spec.Budgets.Length > 0 || (spec.Methods.Length > 0 && !spec.Methods.Any(GridCatalogue.UsesBudget)), "budgets: at least one annotation budget is needed");
        var maxBudget = catalogue.MaxBudgetOf(spec.Preset, spec.Overrides);
        foreach (var budget in spec.Budgets)
        {
            Require(budget > 0, $"budget {budget} must be > 0");
            Require(maxBudget is not { } max || budget <= max, $"budget {budget} is larger than the target dataset ({maxBudget} transitions of preset '{spec.Preset}')");
        }

        Duplicates("budgets", spec.Budgets.Select(b => b.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Require(spec.Methods.Length > 0, $"methods: at least one is needed ({string.Join(", ", catalogue.Methods)})");
        foreach (var method in spec.Methods)
        {
            Require(catalogue.Methods.Contains(method, StringComparer.Ordinal), $"method '{method}' is not known ({string.Join(", ", catalogue.Methods)})");
        }

        Duplicates("methods", spec.Methods);
        Require(spec.Seeds.Length > 0, "seeds: at least one seed is needed");
        Require(spec.Seeds.All(s => s >= 0), "seeds must be ≥ 0");
        Duplicates("seeds", spec.Seeds.Select(s => s.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Require(spec.DisjointActions.Length > 0 && spec.DisjointActions.Distinct().Count() == spec.DisjointActions.Length, "disjointActions: list false, true or both, once each");
        Require(spec.EvalVariants.Length > 0, "evalVariants: at least one entry is needed (\"\" = the training variant)");
        Duplicates("evalVariants", spec.EvalVariants);
        Require(IsSafeName(spec.Preset), $"preset '{spec.Preset}' is not a valid name");
        Require(catalogue.Presets is null || catalogue.Presets.Contains(spec.Preset, StringComparer.Ordinal), $"preset '{spec.Preset}' is not known ({string.Join(", ", catalogue.Presets ?? [])})");
        foreach (var (name, value) in spec.Overrides)
        {
            Require(IsSafeName(name) && !value.Contains('|', StringComparison.Ordinal) && !value.Contains(',', StringComparison.Ordinal), $"override '{name}={value}' is malformed (names: letters, digits, '-', '_', '.'; values without '|' or ',')");
            Require(catalogue.HyperParameters is null || catalogue.HyperParameters.Contains(name, StringComparer.Ordinal), $"hyperparameter '{name}' is not known");
        }

        Require(Trials.DeviceKinds.All.Contains(spec.Device), $"device {(int)spec.Device} is not a device kind (any, cpu, cuda)");
        Require(spec.MaxAttempts is >= 1 and <= MaxAttemptsLimit, $"maxAttempts {spec.MaxAttempts} must be between 1 and {MaxAttemptsLimit}");
        long trials;
        try
        {
            trials = spec.TrialCount();
        }
        catch (OverflowException)
        {
            trials = long.MaxValue;
        }

        Require(trials <= MaxTrials, $"the grid expands to {trials} trials, more than the limit of {MaxTrials}");
        return problems;

        void Require(bool condition, string problem)
        {
            if (!condition)
            {
                problems.Add(problem);
            }
        }

        void Duplicates(string field, IEnumerable<string> values)
        {
            foreach (var group in values.GroupBy(v => v, StringComparer.Ordinal).Where(g => g.Count() > 1))
            {
                problems.Add($"{field}: '{group.Key}' is listed {group.Count()} times");
            }
        }
    }

    /// <summary>Throws <see cref="InvalidSweepSpecException"/> listing every problem, or returns.</summary>
    public static void ThrowIfInvalid(SweepSpec spec, GridCatalogue catalogue)
    {
        var problems = Problems(spec, catalogue);
        if (problems.Count > 0)
        {
            throw new InvalidSweepSpecException(problems);
        }
    }

    public static bool IsSafeName(string name) =>
        name.Length is > 0 and <= 80 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
}
