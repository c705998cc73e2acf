using Orleans.Concurrency;
using Alpt.Grid.Abstractions.Trials;

namespace Alpt.Grid.Abstractions.Queue;

/// <summary>
/// One partition of the work queue (key: partition number). Seeds enqueue themselves in the partition
/// their id hashes to; worker slots lease from every partition in turn. The queue is soft state: seeds
/// are the truth, and a resumed sweep re-queues what a lost partition held.
/// </summary>
[Alias("alpt.IWorkQueueGrain")]
public interface IWorkQueueGrain : IGrainWithIntegerKey
{
    /// <summary>Queues a seed (idempotent). The definition travels with it, so a seed need not be stored before it first runs.</summary>
    Task Enqueue(Seeds.SeedDefinition definition);

    /// <summary>Tracks a running seed's lease so its expiry is noticed (after a restart).</summary>
    Task Track(string seedId, DateTimeOffset leaseExpiresAt);

    /// <summary>
    /// Leases up to <paramref name="max"/> queued seeds that a slot of kind <paramref name="slot"/> can run
    /// (<see cref="DeviceKinds.CanRun"/>; <see cref="DeviceKind.Any"/> takes every kind) to a worker;
    /// expired leases are checked first.
    /// </summary>
    Task<TrialAssignment[]> Lease(string worker, int max, TimeSpan leaseDuration, DeviceKind slot = DeviceKind.Any);

    /// <summary>The seed finished or was cancelled: stop tracking it.</summary>
    [OneWay]
    Task Release(string seedId);

    /// <summary>Checks tracked leases now (also done on every lease); returns how many expired.</summary>
    Task<int> ExpireLeases();

    Task<QueueStats> GetStats();
}

[GenerateSerializer, Immutable]
[Alias("alpt.QueueStats")]
public sealed record QueueStats(
    [property: Id(0)] int Queued,
    [property: Id(1)] int Leased,
    [property: Id(2)] long LeasesExpired,
    [property: Id(3)] Dictionary<DeviceKind, int>? QueuedByDevice = null);

/// <summary>Maps a seed id to its queue partition (stable across processes: not string.GetHashCode).</summary>
public static class QueuePartitions
{
    public static int Of(string seedId, int partitions)
    {
        ArgumentNullException.ThrowIfNull(seedId);
        uint hash = 2166136261;
        foreach (var c in seedId)
        {
            hash = (hash ^ c) * 16777619;
        }

        return (int)(hash % (uint)partitions);
    }
}
