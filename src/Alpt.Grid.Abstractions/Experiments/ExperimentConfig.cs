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

    /// <summary>Annotation budget: labelled target transitions.</summary>
    [Id(3)] public required int Budget { get; init; }

    [Id(4)] public required string Method { get; init; }

    [Id(5)] public required string Preset { get; init; }

    /// <summary>Hyperparameter overrides, as sorted "name=value" pairs.</summary>
    [Id(6)] public required string[] Overrides { get; init; }

    [Id(7)] public required bool DisjointActions { get; init; }

    /// <summary>Variant policies are evaluated in; empty means the training variant.</summary>
    [Id(8)] public required string EvalVariant { get; init; }

    /// <summary>The canonical text the id is hashed from: every field, in a fixed order.</summary>
    public string Canonical() => string.Join('|',
        Target, Variant, string.Join(',', Sources), Budget.ToString(CultureInfo.InvariantCulture), Method, Preset,
        string.Join(',', Overrides), DisjointActions ? "disjoint" : "shared", EvalVariant);

    /// <summary>Readable prefix plus a hash of the canonical text, e.g. <c>breakout-alpt-b500-3f2a…</c>.</summary>
    public string Id => $"{Target}-{Method}-b{Budget.ToString(CultureInfo.InvariantCulture)}-{Hash(Canonical(), 16)}";

    public IReadOnlyDictionary<string, string> OverrideMap() =>
        Overrides.Select(o => o.Split('=', 2)).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);

    public override string ToString() =>
        $"{Target}/{Variant} sources=[{string.Join(',', Sources)}] budget={Budget} method={Method}" +
        (DisjointActions ? " disjoint" : "") + (EvalVariant.Length > 0 ? $" eval={EvalVariant}" : "");

    internal static string Hash(string text, int hexChars) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..hexChars];
}
