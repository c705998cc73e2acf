using Alpt.Grid.Abstractions.Environments;
using Alpt.Grid.Grains.Hosting;

namespace Alpt.Grid.Grains.Environments;

[GenerateSerializer]
[Alias("alpt.EnvironmentGrainState")]
public sealed class EnvironmentGrainState
{
    /// <summary>Stored datasets by artifact name.</summary>
    [Id(0)] public Dictionary<string, ArtifactRef> Datasets { get; set; } = new(StringComparer.Ordinal);

    [Id(1)] public int Generations { get; set; }
}

/// <summary>
/// Descriptor and dataset cache of one game variant. Hands out one generation claim per dataset at a
/// time, so concurrent experiments needing the same dataset generate it once.
/// </summary>
public sealed class EnvironmentGrain(
    [PersistentState("environment", GridGrainOptions.StorageName)] IPersistentState<EnvironmentGrainState> store,
    GridClock time) : Grain, IEnvironmentGrain
{
    private readonly Dictionary<string, (Guid Claim, DateTimeOffset Until)> claims = new(StringComparer.Ordinal);

    Task<DatasetLease> IEnvironmentGrain.AcquireDataset(DatasetKey key, TimeSpan claimDuration)
    {
        ArgumentNullException.ThrowIfNull(key);
        CheckKey(key);
        if (store.State.Datasets.TryGetValue(key.ArtifactName, out var artifact))
        {
            return Task.FromResult(new DatasetLease(artifact, null));
        }

        var now = time.UtcNow;
        if (claims.TryGetValue(key.ArtifactName, out var claim) && claim.Until > now)
        {
            return Task.FromResult(new DatasetLease(null, null));
        }

        var granted = Guid.NewGuid();
        claims[key.ArtifactName] = (granted, now + claimDuration);
        return Task.FromResult(new DatasetLease(null, granted));
    }

    async Task<bool> IEnvironmentGrain.DatasetStored(DatasetKey key, Guid claim, ArtifactRef artifact)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(artifact);
        if (!claims.TryGetValue(key.ArtifactName, out var held) || held.Claim != claim)
        {
            return false;
        }

        claims.Remove(key.ArtifactName);
        store.State.Datasets[key.ArtifactName] = artifact;
        store.State.Generations++;
        await store.WriteStateAsync();
        return true;
    }

    async Task IEnvironmentGrain.ReportCorrupt(DatasetKey key, ArtifactRef artifact)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (store.State.Datasets.TryGetValue(key.ArtifactName, out var stored) && stored == artifact)
        {
            store.State.Datasets.Remove(key.ArtifactName);
            await store.WriteStateAsync();
        }
    }

    Task<EnvironmentInfo> IEnvironmentGrain.GetInfo()
    {
        var (game, variant) = Split(this.GetPrimaryKeyString());
        return Task.FromResult(new EnvironmentInfo(game, variant, new Dictionary<string, ArtifactRef>(store.State.Datasets, StringComparer.Ordinal), store.State.Generations));
    }

    /// <summary>The grain key of a game variant.</summary>
    public static string KeyOf(string game, string variant) => $"{game}/{variant}";

    private void CheckKey(DatasetKey key)
    {
        if (KeyOf(key.Game, key.Variant) != this.GetPrimaryKeyString())
        {
            throw new ArgumentException($"dataset {key.ArtifactName} does not belong to environment {this.GetPrimaryKeyString()}", nameof(key));
        }
    }

    private static (string Game, string Variant) Split(string key)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? (key, "") : (key[..slash], key[(slash + 1)..]);
    }
}
