using Alpt.Grid.Abstractions.Catalogue;

namespace Alpt.Grid.Grains.Hosting;

/// <summary>Settings the grains share; every silo of a cluster must use the same values.</summary>
public sealed class GridGrainOptions
{
    /// <summary>The grain storage provider every grid grain uses.</summary>
    public const string StorageName = "grid";

    /// <summary>Work queue partitions: more spread the leasing load over more grains (and silos).</summary>
    public int QueuePartitions { get; set; } = 8;

    /// <summary>Names a sweep spec may use.</summary>
    public GridCatalogue Catalogue { get; set; } = GridCatalogue.Default;

    /// <summary>How often a queue partition checks its leases even when no worker asks for work.</summary>
    public TimeSpan LeaseCheckInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How often the active sweeps are reconciled from stored state (queue partition 0's timer asks the
    /// sweep registry to resume them): every open seed is queued again, its lease tracked, or its end told
    /// to its experiment. What makes liveness independent of every single call succeeding.
    /// </summary>
    public TimeSpan ReconcileInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long a dataset generation claim lasts before another worker may take it over.</summary>
    public TimeSpan DatasetClaimDuration { get; set; } = TimeSpan.FromMinutes(10);
}
