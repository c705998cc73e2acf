namespace Alpt.Grid.Abstractions.Environments;

/// <summary>
/// An environment (key: "game/variant"): descriptor and dataset cache. A dataset is generated once
/// (one worker holds the claim) and stored as an artifact that every experiment reuses.
/// </summary>
[Alias("alpt.IEnvironmentGrain")]
public interface IEnvironmentGrain : IGrainWithStringKey
{
    /// <summary>The stored artifact, or a claim to generate it (null claim and null artifact: someone else is generating; ask again).</summary>
    Task<DatasetLease> AcquireDataset(DatasetKey key, TimeSpan claimDuration);

    Task<bool> DatasetStored(DatasetKey key, Guid claim, ArtifactRef artifact);

    /// <summary>The artifact failed its hash check: forget it so it is regenerated.</summary>
    Task ReportCorrupt(DatasetKey key, ArtifactRef artifact);

    Task<EnvironmentInfo> GetInfo();
}
