using System.Text.Json.Serialization;

namespace Alpt.Learning.Trials;

/// <summary>The four ways an experiment gets a policy from action-limited target data (DESIGN.md §1).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<TrialMethod>))]
public enum TrialMethod
{
    /// <summary>No IDM; the policy learns from the labelled target slice only.</summary>
    [JsonStringEnumMemberName("labelled-only")]
    LabelledOnly,

    /// <summary>An IDM trained on the labelled target slice labels the rest; the policy learns from all target data.</summary>
    [JsonStringEnumMemberName("idm-target")]
    IdmTarget,

    /// <summary>An IDM trained on the source datasets plus the labelled target slice labels the rest.</summary>
    [JsonStringEnumMemberName("alpt")]
    Alpt,

    /// <summary>The policy learns from all target data with its true labels (the upper bound).</summary>
    [JsonStringEnumMemberName("oracle")]
    Oracle,
}

public static class TrialMethods
{
    public static IReadOnlyList<string> Names { get; } = ["labelled-only", "idm-target", "alpt", "oracle"];

    public static string Name(this TrialMethod method) => Names[(int)method];

    public static TrialMethod Parse(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var index = Names.ToList().IndexOf(name.Trim().ToLowerInvariant());
        return index >= 0
            ? (TrialMethod)index
            : throw new ArgumentException($"Unknown method '{name}': expected one of {string.Join(", ", Names)}.", nameof(name));
    }

    /// <summary>Whether the method trains an inverse dynamics model.</summary>
    public static bool UsesIdm(this TrialMethod method) => method is TrialMethod.IdmTarget or TrialMethod.Alpt;
}

/// <summary>A game in one of its variants ("breakout" / "standard").</summary>
public sealed record GameRef(string Game, string Variant = GameRef.DefaultVariant)
{
    public const string DefaultVariant = "standard";

    /// <summary>Parses "game" or "game:variant".</summary>
    public static GameRef Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Trim().ToLowerInvariant().Split(':');
        if (parts.Length is < 1 or > 2 || parts.Any(string.IsNullOrWhiteSpace))
        {
            throw new ArgumentException($"'{text}' is not a game: expected 'game' or 'game:variant'.", nameof(text));
        }

        return new GameRef(parts[0], parts.Length == 2 ? parts[1] : DefaultVariant);
    }

    public override string ToString() => $"{Game}:{Variant}";
}

/// <summary>
/// One trial (one seed of one experiment): everything its result is a deterministic function of.
/// A plain record that round-trips through System.Text.Json, so the grid can store it.
/// </summary>
/// <param name="Target">The action-limited game.</param>
/// <param name="Sources">Fully labelled games the IDM also trains on (alpt only): any subset of the
/// other games, variants allowed, never the target game itself, no duplicates.</param>
/// <param name="Budget">Annotation budget: labelled transitions of the target dataset.</param>
/// <param name="DisjointActions">Give every game its own action head, so sources share no action ids with the target.</param>
/// <param name="EvaluationVariant">Variant of the target game the policy is evaluated on; null = the target's own.</param>
public sealed record TrialSpec(
    GameRef Target,
    IReadOnlyList<GameRef> Sources,
    int Budget,
    TrialMethod Method,
    int Seed,
    TrialHyperparameters Hyperparameters,
    bool DisjointActions = false,
    string? EvaluationVariant = null)
{
    public GameRef EvaluationTarget => EvaluationVariant is null ? Target : Target with { Variant = EvaluationVariant };

    /// <summary>Checks the spec is coherent; throws with a message naming what is wrong.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Target);
        ArgumentNullException.ThrowIfNull(Sources);
        ArgumentNullException.ThrowIfNull(Hyperparameters);
        Hyperparameters.Validate();
        if (!Enum.IsDefined(Method))
        {
            throw new ArgumentException($"Unknown method {(int)Method}.");
        }

        if (string.IsNullOrWhiteSpace(Target.Game) || string.IsNullOrWhiteSpace(Target.Variant))
        {
            throw new ArgumentException("The target needs a game and a variant.");
        }

        var seen = new HashSet<GameRef>();
        foreach (var source in Sources)
        {
            if (source is null || string.IsNullOrWhiteSpace(source.Game) || string.IsNullOrWhiteSpace(source.Variant))
            {
                throw new ArgumentException("Every source needs a game and a variant.");
            }

            if (source.Game == Target.Game)
            {
                throw new ArgumentException($"Source '{source}' is the target game '{Target.Game}': sources must be other games.");
            }

            if (!seen.Add(source))
            {
                throw new ArgumentException($"Source '{source}' is listed twice.");
            }
        }

        if (Method == TrialMethod.Alpt && Sources.Count == 0)
        {
            throw new ArgumentException("Method alpt needs at least one source game.");
        }

        if (Method != TrialMethod.Alpt && Sources.Count > 0)
        {
            throw new ArgumentException($"Method {Method.Name()} uses no source games, but {Sources.Count} were given.");
        }

        var transitions = Hyperparameters.Data.TargetTransitions;
        if (Method != TrialMethod.Oracle && (Budget <= 0 || Budget >= transitions))
        {
            throw new ArgumentException($"Budget must be between 1 and {transitions - 1} labelled transitions (the target dataset has {transitions}), got {Budget}.");
        }

        if (Method == TrialMethod.Oracle && Budget < 0)
        {
            throw new ArgumentException($"Budget must not be negative, got {Budget}.");
        }
    }
}
