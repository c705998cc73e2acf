using Alpt.Grid.Abstractions.Trials;

namespace Alpt.Grid.Abstractions.Queue;

/// <summary>
/// Which workers are alive and what slots they offer (a single grain, key 0), so that a sweep asking for
/// a device kind that no worker offers can say so instead of waiting silently. Soft state: workers
/// report every <see cref="WorkerDirectory.ReportInterval"/>, and an entry not renewed for
/// <see cref="WorkerDirectory.Expiry"/> (its silo died) is dropped; a lost activation refills itself.
/// </summary>
[Alias("alpt.IWorkerDirectoryGrain")]
public interface IWorkerDirectoryGrain : IGrainWithIntegerKey
{
    /// <summary>A worker is alive with these slots (count by kind); repeated while it runs.</summary>
    Task Report(string worker, Dictionary<DeviceKind, int> slots);

    /// <summary>A worker stopped.</summary>
    Task Leave(string worker);

    /// <summary>The workers heard from within <see cref="WorkerDirectory.Expiry"/>.</summary>
    Task<WorkerOffer[]> GetWorkers();
}

/// <summary>A live worker and its slots by device kind.</summary>
[GenerateSerializer, Immutable]
[Alias("alpt.WorkerOffer")]
public sealed record WorkerOffer(
    [property: Id(0)] string Worker,
    [property: Id(1)] Dictionary<DeviceKind, int> Slots,
    [property: Id(2)] DateTimeOffset LastSeen);

public static class WorkerDirectory
{
    /// <summary>How often a worker tells the directory it is alive.</summary>
    public static readonly TimeSpan ReportInterval = TimeSpan.FromSeconds(20);

    /// <summary>A worker not heard from for this long is presumed gone (three missed reports).</summary>
    public static readonly TimeSpan Expiry = TimeSpan.FromMinutes(1);

    /// <summary>Whether some live worker has a slot that can run trials asking for <paramref name="wanted"/>.</summary>
    public static bool Offers(this IEnumerable<WorkerOffer> workers, DeviceKind wanted)
    {
        ArgumentNullException.ThrowIfNull(workers);
        return workers.Any(w => w.Slots.Any(s => s.Value > 0 && s.Key.CanRun(wanted)));
    }

    /// <summary>The status line of a sweep whose trials no live worker can run; null when some can.</summary>
    public static string? Unserved(IEnumerable<WorkerOffer> workers, DeviceKind wanted)
    {
        ArgumentNullException.ThrowIfNull(workers);
        var live = workers.ToList();
        if (live.Offers(wanted))
        {
            return null;
        }

        var offered = live.SelectMany(w => w.Slots.Where(s => s.Value > 0).Select(s => s.Key)).Distinct().Order().Select(k => k.Name()).ToList();
        var what = wanted == DeviceKind.Any ? "worker slots" : $"{wanted.Name()} slots";
        var others = offered.Count == 0 ? "no live worker has any slots" : $"live workers offer only {string.Join(", ", offered)} slots";
        return $"no live worker offers {what} ({others}): its queued trials wait until a worker with {what} joins";
    }
}
