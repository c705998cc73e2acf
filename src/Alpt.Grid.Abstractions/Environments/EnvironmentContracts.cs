namespace Alpt.Grid.Abstractions.Environments;

/// <summary>
/// Which dataset: a deterministic function of these values (DESIGN.md §2), so it is generated once
/// and shared by every experiment that needs it.
/// </summary>
[GenerateSerializer, Immutable]
[Alias("alpt.DatasetKey")]
public sealed record DatasetKey(
    [property: Id(0)] string Game,
    [property: Id(1)] string Variant,
    [property: Id(2)] int Transitions,
    [property: Id(3)] string BehaviourMix,
    [property: Id(4)] int Seed,
    [property: Id(5)] bool DisjointActions = false)
{
    /// <summary>The artifact name: readable and unique per key.</summary>
    public string ArtifactName =>
        $"datasets/{Game}/{Variant}/{Transitions}-{BehaviourMix}-s{Seed}{(DisjointActions ? "-disjoint" : "")}.bin";
}

/// <summary>A stored artifact: where it is, how large, and the SHA-256 its bytes must have.</summary>
[GenerateSerializer, Immutable]
[Alias("alpt.ArtifactRef")]
public sealed record ArtifactRef(
    [property: Id(0)] string Name,
    [property: Id(1)] long Length,
    [property: Id(2)] string Sha256);

/// <summary>The answer to "I need this dataset": use the stored artifact, or generate it (you hold the claim).</summary>
[GenerateSerializer, Immutable]
[Alias("alpt.DatasetLease")]
public sealed record DatasetLease(
    [property: Id(0)] ArtifactRef? Artifact,
    [property: Id(1)] Guid? GenerationClaim);

/// <summary>What the environment grain knows: descriptor and cached datasets.</summary>
[GenerateSerializer, Immutable]
[Alias("alpt.EnvironmentInfo")]
public sealed record EnvironmentInfo(
    [property: Id(0)] string Game,
    [property: Id(1)] string Variant,
    [property: Id(2)] Dictionary<string, ArtifactRef> Datasets,
    [property: Id(3)] int Generations);
