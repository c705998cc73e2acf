using Alpt.Grid.Abstractions.Queue;
using Alpt.Grid.Abstractions.Trials;
using Alpt.Grid.Grains.Hosting;
using Orleans.Concurrency;

namespace Alpt.Grid.Grains.Queue;

/// <summary>
/// The live workers and their slots, in memory only: every worker reports again within
/// <see cref="WorkerDirectory.ReportInterval"/>, so a lost activation is whole again a report later.
/// </summary>
[Reentrant]
public sealed class WorkerDirectoryGrain(GridClock time) : Grain, IWorkerDirectoryGrain
{
    private readonly Dictionary<string, WorkerOffer> workers = new(StringComparer.Ordinal);

    Task IWorkerDirectoryGrain.Report(string worker, Dictionary<DeviceKind, int> slots)
    {
        ArgumentNullException.ThrowIfNull(worker);
        ArgumentNullException.ThrowIfNull(slots);
        workers[worker] = new WorkerOffer(worker, new Dictionary<DeviceKind, int>(slots), time.UtcNow);
        return Task.CompletedTask;
    }

    Task IWorkerDirectoryGrain.Leave(string worker)
    {
        workers.Remove(worker);
        return Task.CompletedTask;
    }

    Task<WorkerOffer[]> IWorkerDirectoryGrain.GetWorkers()
    {
        var now = time.UtcNow;
        foreach (var gone in workers.Values.Where(w => now - w.LastSeen > WorkerDirectory.Expiry).Select(w => w.Worker).ToList())
        {
            workers.Remove(gone);
        }

        return Task.FromResult(workers.Values.OrderBy(w => w.Worker, StringComparer.Ordinal).ToArray());
    }
}
