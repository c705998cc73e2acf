using Alpt.Grid.Abstractions.Queue;
using Alpt.Grid.Abstractions.Seeds;
using Alpt.Grid.Abstractions.Sweeps;
using Alpt.Grid.Abstractions.Trials;
using Alpt.Grid.Grains.Hosting;
using Alpt.Grid.Grains.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;

namespace Alpt.Grid.Grains.Queue;

/// <summary>
/// One work queue partition, held in memory: seed ids waiting for a worker, and the leases handed out
/// (with the expiry the queue last saw) so that a lease whose worker went silent is noticed. Seeds are
/// the truth; when a partition is lost with its silo, resuming the active sweeps (triggered when a
/// partition activates) queues their unfinished seeds again. Seeds wait in one line per device kind
/// they ask for, so a slot finds what it can run without walking past work it cannot.
/// </summary>
[Reentrant]
public sealed class WorkQueueGrain(IOptions<GridGrainOptions> options, GridClock time, ILogger<WorkQueueGrain> logger, GridMetrics? metrics = null) : Grain, IWorkQueueGrain
{
    private readonly Dictionary<DeviceKind, LinkedList<string>> queued = DeviceKinds.All.ToDictionary(k => k, _ => new LinkedList<string>());
    private readonly Dictionary<string, SeedDefinition> waiting = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> leased = new(StringComparer.Ordinal);
    private long leasesExpired;
    private bool checking;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // A fresh partition may have lost seeds that an earlier activation held: ask active sweeps to re-queue.
        _ = GrainFactory.GetGrain<ISweepRegistryGrain>(0).ResumeActiveSweeps();
        this.RegisterGrainTimer(
            static (self, _) => self.ExpireLeasesAsync(),
            this,
            new GrainTimerCreationOptions(options.Value.LeaseCheckInterval, options.Value.LeaseCheckInterval) { Interleave = true });
        if (Partition == 0)
        {
            // Liveness must not hang on one call succeeding (a lost reply, a silo that died mid-call, a write
            // whose caller never heard back): every interval the active sweeps are re-derived from stored state.
            // Partition 0 is the one to ask because polling workers keep it active wherever it lives.
            this.RegisterGrainTimer(
                static (self, _) => self.GrainFactory.GetGrain<ISweepRegistryGrain>(0).ResumeActiveSweeps(),
                this,
                new GrainTimerCreationOptions(options.Value.ReconcileInterval, options.Value.ReconcileInterval) { Interleave = true });
        }

        return Task.CompletedTask;
    }

    Task IWorkQueueGrain.Enqueue(SeedDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var seedId = SweepExpansion.SeedId(definition.ExperimentId, definition.Seed);
        leased.Remove(seedId);
        if (waiting.TryAdd(seedId, definition))
        {
            Line(definition).AddLast(seedId);
        }

        ReportDepth();
        return Task.CompletedTask;
    }

    Task IWorkQueueGrain.Track(string seedId, DateTimeOffset leaseExpiresAt)
    {
        if (!waiting.ContainsKey(seedId))
        {
            leased[seedId] = leaseExpiresAt;
        }

        return Task.CompletedTask;
    }

    async Task<TrialAssignment[]> IWorkQueueGrain.Lease(string worker, int max, TimeSpan leaseDuration, DeviceKind slot)
    {
        await ExpireLeasesAsync();
        var assignments = new List<TrialAssignment>();
        while (assignments.Count < max && NextFor(slot) is { } line)
        {
            var seedId = line.First!.Value;
            line.RemoveFirst();
            waiting.Remove(seedId, out var definition);
            TrialAssignment? assignment;
            try
            {
                assignment = await GrainFactory.GetGrain<ISeedGrain>(seedId).BeginAttempt(definition!, worker, leaseDuration);
            }
            catch (Exception e)
            {
                // The seed may not have started (storage hiccup), or it did and its reply was lost (a call timeout,
                // its silo died): then it is Running under a lease nobody holds. Keep it queued for the next lease,
                // and watch it as a lease due now, so the next check asks the seed which it is: a Running seed is
                // tracked until its lease expires, a Queued one leased again.
                logger.LogWarning(e, "Could not start seed {SeedId}; it stays queued and its lease is checked", seedId);
                if (waiting.TryAdd(seedId, definition!))
                {
                    Line(definition!).AddLast(seedId);
                }

                leased[seedId] = time.UtcNow;

                break;
            }

            if (assignment is not null)
            {
                leased[seedId] = assignment.LeaseExpiresAt;
                assignments.Add(assignment);
            }
        }

        ReportDepth();
        return [.. assignments];
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        metrics?.ForgetQueueDepth(Partition);
        return Task.CompletedTask;
    }

    private int Partition => (int)this.GetPrimaryKeyLong();

    private void ReportDepth()
    {
        foreach (var (kind, line) in queued)
        {
            metrics?.ReportQueueDepth(Partition, kind.Name(), line.Count);
        }
    }

    private LinkedList<string> Line(SeedDefinition definition) => queued[DeviceKinds.All.Contains(definition.Config.Device) ? definition.Config.Device : DeviceKind.Any];

    /// <summary>
    /// The line a slot of this kind leases from next: work only its kind can run first (no other slot
    /// will take it), then work any slot can run. A caller of kind any (benchmarks) takes from every line.
    /// </summary>
    private LinkedList<string>? NextFor(DeviceKind slot)
    {
        if (slot != DeviceKind.Any && queued.TryGetValue(slot, out var own) && own.Count > 0)
        {
            return own;
        }

        return DeviceKinds.All.Where(k => slot.CanRun(k)).Select(k => queued[k]).FirstOrDefault(l => l.Count > 0);
    }

    Task IWorkQueueGrain.Release(string seedId)
    {
        leased.Remove(seedId);
        if (waiting.Remove(seedId, out var definition))
        {
            Line(definition).Remove(seedId);
        }

        ReportDepth();
        return Task.CompletedTask;
    }

    Task<int> IWorkQueueGrain.ExpireLeases() => ExpireLeasesAsync();

    Task<QueueStats> IWorkQueueGrain.GetStats() => Task.FromResult(new QueueStats(
        waiting.Count, leased.Count, leasesExpired, queued.ToDictionary(q => q.Key, q => q.Value.Count)));

    private async Task<int> ExpireLeasesAsync()
    {
        if (checking)
        {
            return 0;
        }

        checking = true;
        try
        {
            var now = time.UtcNow;
            var due = leased.Where(l => l.Value <= now).Select(l => l.Key).ToArray();
            var expired = 0;
            foreach (var seedId in due)
            {
                LeaseCheck check;
                try
                {
                    check = await GrainFactory.GetGrain<ISeedGrain>(seedId).CheckLease();
                }
                catch (Exception e)
                {
                    logger.LogWarning(e, "Could not check the lease of seed {SeedId}; will try again", seedId);
                    continue;
                }

                if (check.Expired)
                {
                    expired++;
                    leasesExpired++;
                    logger.LogInformation("Lease of seed {SeedId} expired; seed is now {State}", seedId, check.State);
                }

                if (check.State == SeedState.Running && check.LeaseExpiresAt is { } renewed)
                {
                    leased[seedId] = renewed;
                    continue;
                }

                leased.Remove(seedId);
                if (check.State == SeedState.Queued && check.Definition is { } definition && waiting.TryAdd(seedId, definition))
                {
                    Line(definition).AddLast(seedId);
                }
            }

            ReportDepth();
            return expired;
        }
        finally
        {
            checking = false;
        }
    }
}
