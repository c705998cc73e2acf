using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Alpt.Grid.Abstractions.Experiments;

/// <summary>
/// One cell of a sweep: everything a trial needs except its seed. Its <see cref="Id"/> is a pure
/// function of the values, so the same experiment launched twice (or by two sweeps) is one grain.
/// </summary>
[GenerateSerializer, Immutable]
[Alias("alpt.ExperimentConfig")]
public sealed record ExperimentConfig
{
    [Id(0)] public required string Target { get; init; }

    [Id(1)] public required string Variant { get; init; }

    /// <summary>Source games, sorted; empty for methods that do not use sources.</summary>
    [Id(2)] public required string[] Sources { get; init; }

    /// <summary>Annotation budget: labelled target transitions; <see cref="AllLabels"/> for the oracle, which sees every label.</summary>
    [Id(3)] public required int Budget { get; init; }

    [Id(4)] public required string Method { get; init; }

    [Id(5)] public required string Preset { get; init; }

    /// <summary>Hyperparameter overrides, as sorted "name=value" pairs.</summary>
    [Id(6)] public required string[] Overrides { get; init; }

    [Id(7)] public required bool DisjointActions { get; init; }

    /// <summary>Variant policies are evaluated in; empty means the training variant.</summary>
    [Id(8)] public required string EvalVariant { get; init; }

    /// <summary>
    /// The kind of worker slot that may run its trials. Where a trial runs, not what it computes: not part
    /// of <see cref="Canonical"/>, so the id (and the results) of an experiment do not depend on it. An
    /// experiment shared by sweeps keeps the kind of the sweep that first submitted it.
    /// </summary>
    [Id(20)] public Trials.DeviceKind Device { get; init; } = Trials.DeviceKind.Any;

    /// <summary>The budget of a method that trains on every true label (the oracle): shown as "all".</summary>
    public const int AllLabels = 0;

    /// <summary>Whether this experiment trains on every true label rather than on a budget's worth.</summary>
    public bool UsesAllLabels => Budget == AllLabels;

    /// <summary>The budget as people read it (and as metrics label it): its number, or "all" for every label.</summary>
    public string BudgetLabel => LabelOf(Budget);

    /// <summary>The canonical text the id is hashed from: every field, in a fixed order.</summary>
    public string Canonical() => string.Join('|',
        Target, Variant, string.Join(',', Sources), Budget.ToString(CultureInfo.InvariantCulture), Method, Preset,
        string.Join(',', Overrides), DisjointActions ? "disjoint" : "shared", EvalVariant);

    /// <summary>Readable prefix plus a hash of the canonical text, e.g. <c>breakout-alpt-b500-3f2a…</c> (<c>breakout-oracle-all-…</c>).</summary>
    public string Id => $"{Target}-{Method}-{(UsesAllLabels ? "all" : "b" + BudgetLabel)}-{Hash(Canonical(), 16)}";

    public IReadOnlyDictionary<string, string> OverrideMap() =>
        Overrides.Select(o => o.Split('=', 2)).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);

    public override string ToString() =>
        $"{Target}/{Variant} sources=[{string.Join(',', Sources)}] budget={BudgetLabel} method={Method}" +
        (DisjointActions ? " disjoint" : "") + (EvalVariant.Length > 0 ? $" eval={EvalVariant}" : "");

    /// <summary>A budget as people read it: its number, or "all" for <see cref="AllLabels"/>.</summary>
    public static string LabelOf(int budget) => budget == AllLabels ? "all" : budget.ToString(CultureInfo.InvariantCulture);

    internal static string Hash(string text, int hexChars) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..hexChars];
}
