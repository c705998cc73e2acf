namespace Alpt.Grid.Abstractions.Catalogue;

/// <summary>
/// The names a sweep spec may use: games, their variants, methods. The grid validates against this;
/// the environments catalogue can replace <see cref="Default"/> once it knows its variants.
/// </summary>
public sealed record GridCatalogue(
    IReadOnlyDictionary<string, IReadOnlyList<string>> GamesAndVariants,
    IReadOnlyList<string> Methods)
{
    /// <summary>Known trial presets; null accepts any name (until the learning presets are plugged in).</summary>
    public IReadOnlyList<string>? Presets { get; init; }

    /// <summary>Known hyperparameter names; null accepts any name.</summary>
    public IReadOnlyList<string>? HyperParameters { get; init; }

    /// <summary>Largest annotation budget a target dataset can provide; null means unchecked.</summary>
    public int? MaxBudget { get; init; }

    /// <summary>
    /// The size of the target dataset (in transitions, the largest budget) a trial preset with these overrides
    /// trains on, when the catalogue knows its presets; null for an unknown preset or bad override (reported
    /// elsewhere). Where set, it bounds budgets instead of <see cref="MaxBudget"/>.
    /// </summary>
    public Func<string, IReadOnlyDictionary<string, string>, int?>? TargetTransitions { get; init; }

    /// <summary>The largest budget a sweep of this preset and these overrides may ask for; null when unchecked.</summary>
    public int? MaxBudgetOf(string preset, IReadOnlyDictionary<string, string> overrides) =>
        TargetTransitions?.Invoke(preset, overrides) ?? MaxBudget;

    /// <summary>The variant every game has first (as the environments catalogue names it).</summary>
    public const string DefaultVariant = "standard";

    /// <summary>The four methods every experiment can compare (DESIGN.md §1).</summary>
    public static IReadOnlyList<string> KnownMethods { get; } = ["labelled-only", "idm-target", "alpt", "oracle"];

    /// <summary>Methods whose IDM is trained on source datasets: only they accept a non-empty source set.</summary>
    public static bool UsesSources(string method) => method == "alpt";

    /// <summary>
    /// Methods whose result depends on the annotation budget. The oracle trains on every true label, so
    /// a sweep runs it once (budget <see cref="Experiments.ExperimentConfig.AllLabels"/>) whatever budgets it lists.
    /// </summary>
    public static bool UsesBudget(string method) => method != "oracle";

    /// <summary>
    /// Methods that disjoint action ids change: only an IDM trained on sources has other games' actions to
    /// keep apart, so the disjoint-actions dimension multiplies alpt alone; every other method runs once, shared.
    /// </summary>
    public static bool UsesDisjointActions(string method) => UsesSources(method);

    public static GridCatalogue Default { get; } = new(
        new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal)
        {
            ["breakout"] = [DefaultVariant, "hard"],
            ["space-invaders"] = [DefaultVariant, "hard"],
            ["freeway"] = [DefaultVariant, "hard"],
            ["asterix"] = [DefaultVariant, "hard"],
            ["seaquest"] = [DefaultVariant, "hard"],
        },
        KnownMethods);

    public bool IsGame(string name) => GamesAndVariants.ContainsKey(name);

    /// <summary>Splits a source "game" or "game:variant" (the variant defaults to the game's first).</summary>
    public static (string Game, string? Variant) SplitSource(string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var colon = source.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? (source, null) : (source[..colon], source[(colon + 1)..]);
    }

    public bool IsVariant(string game, string variant) =>
        GamesAndVariants.TryGetValue(game, out var variants) && variants.Contains(variant, StringComparer.Ordinal);
}
