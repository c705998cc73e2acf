using Alpt.Grid.Abstractions.Sweeps;
using Alpt.Grid.Grains.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;

namespace Alpt.Grid.Grains.Sweeps;

[GenerateSerializer]
[Alias("alpt.SweepRegistryState")]
public sealed class SweepRegistryState
{
    [Id(0)] public Dictionary<string, SweepEntry> Sweeps { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>
/// The list of sweeps, and which are still active (so a restarted cluster knows what to resume).
/// Reentrant: a resume calls sweeps that call back here (status marks a sweep inactive).
/// </summary>
[Reentrant]
public sealed class SweepRegistryGrain : Grain, ISweepRegistryGrain, IDisposable
{
    private readonly IPersistentState<SweepRegistryState> store;
    private readonly ILogger<SweepRegistryGrain> logger;
    private readonly SerialWriter writer;

    public SweepRegistryGrain(
        [PersistentState("registry", GridGrainOptions.StorageName)] IPersistentState<SweepRegistryState> store,
        ILogger<SweepRegistryGrain> logger)
    {
        this.store = store;
        this.logger = logger;
        writer = new SerialWriter(() => store.WriteStateAsync());
    }

    public void Dispose() => writer.Dispose();

    private bool resuming;
    private bool again;

    async Task ISweepRegistryGrain.Register(SweepEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        store.State.Sweeps[entry.SweepId] = entry;
        await writer.WriteAsync();
    }

    async Task ISweepRegistryGrain.SetActive(string sweepId, bool active)
    {
        if (store.State.Sweeps.TryGetValue(sweepId, out var entry) && entry.Active != active)
        {
            store.State.Sweeps[sweepId] = entry with { Active = active };
            await writer.WriteAsync();
        }
    }

    Task<SweepEntry[]> ISweepRegistryGrain.List() =>
        Task.FromResult(store.State.Sweeps.Values.OrderBy(s => s.LaunchedAt).ToArray());

    async Task ISweepRegistryGrain.ResumeActiveSweeps()
    {
        // Partitions activated by a resume ask again; one more round then finds everything in place.
        if (resuming)
        {
            again = true;
            return;
        }

        resuming = true;
        var backoff = TimeSpan.FromSeconds(1);
        try
        {
            do
            {
                again = false;
                var failed = false;
                foreach (var entry in store.State.Sweeps.Values.Where(s => s.Active).ToArray())
                {
                    try
                    {
                        await GrainFactory.GetGrain<ISweepGrain>(entry.SweepId).Resume();
                    }
                    catch (Exception e)
                    {
                        logger.LogWarning(e, "Resuming sweep {SweepId} failed; trying again in {Backoff}", entry.SweepId, backoff);
                        failed = true;
                    }
                }

                // A resume that fails (storage unreachable, a silo joining or leaving) is retried with backoff: nobody
                // else would ask again, and the seeds it did not reach would wait in storage forever. Submitting is idempotent.
                if (failed)
                {
                    await Task.Delay(backoff);
                    backoff = TimeSpan.FromSeconds(Math.Min(backoff.TotalSeconds * 2, 30));
                    again = true;
                }
            }
            while (again);
        }
        finally
        {
            resuming = false;
        }
    }
}
