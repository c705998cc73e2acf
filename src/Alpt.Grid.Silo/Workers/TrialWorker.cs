using Alpt.Grid.Abstractions.Queue;
using Alpt.Grid.Abstractions.Seeds;
using Alpt.Grid.Abstractions.Trials;
using Alpt.Grid.Grains.Telemetry;
using Alpt.Grid.Silo.Configuration;
using Alpt.Grid.Silo.Telemetry;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Alpt.Grid.Silo.Workers;

/// <summary>
/// The worker of a silo: one loop per slot that leases a queued seed, runs its trial on a dedicated
/// thread, heartbeats with progress while it runs (renewing the lease), and reports the outcome or
/// the error. A lost lease cancels the trial and drops its result; shutdown hands running attempts
/// back to the queue without counting them.
/// </summary>
public sealed partial class TrialWorker(
    IGrainFactory grains,
    ITrialExecutor executor,
    IOptions<GridSiloOptions> options,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    ILogger<TrialWorker> logger,
    GridMetrics? metrics = null) : BackgroundService
{
    /// <summary>How long a cancelled trial gets to stop before its thread is abandoned.</summary>
    private static readonly TimeSpan CancelGrace = TimeSpan.FromSeconds(5);

    /// <summary>How long a report is retried: longer than the cluster takes to declare a dead silo dead.</summary>
    private static readonly TimeSpan ReportPatience = TimeSpan.FromMinutes(2);

    private readonly IReadOnlyList<WorkerSlot> slots = WorkerSlot.Parse(options.Value.Slots);
    private long completed;

    public IReadOnlyList<WorkerSlot> Slots => slots;

    /// <summary>Trials this worker completed (accepted by their seed).</summary>
    public long Completed => Interlocked.Read(ref completed);

    public string WorkerName { get; } = options.Value.SiloName ?? $"{Environment.MachineName}:{options.Value.SiloPort}";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (slots.Count == 0)
        {
            LogCoordinatorOnly(WorkerName);
            return;
        }

        // Lease only once the silo (started before this service) is fully up.
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        using (stoppingToken.Register(() => started.TrySetCanceled(stoppingToken)))
        {
            try
            {
                await started.Task;
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        LogStarted(WorkerName, slots.Count, string.Join(",", slots.Select(s => s.Device)));
        var devices = slots.GroupBy(s => s.Device, StringComparer.Ordinal).Select(g => (Device: g.Key, Count: g.Count())).ToList();
        devices.ForEach(d => metrics?.SlotsStarted(d.Device, d.Count));
        try
        {
            await Task.WhenAll(slots.Select(slot => RunSlotAsync(slot, stoppingToken)));
        }
        finally
        {
            devices.ForEach(d => metrics?.SlotsStopped(d.Device, d.Count));
        }
    }

    private async Task RunSlotAsync(WorkerSlot slot, CancellationToken stoppingToken)
    {
        var partitions = options.Value.QueuePartitions;
        var cursor = slot.Index % partitions;
        var idle = TimeSpan.FromMilliseconds(10);
        var worker = $"{WorkerName}/{slot.Device}#{slot.Index}";
        while (!stoppingToken.IsCancellationRequested)
        {
            TrialAssignment? assignment = null;
            Exception? failure = null;
            for (var i = 0; i < partitions && assignment is null && !stoppingToken.IsCancellationRequested; i++)
            {
                var partition = (cursor + i) % partitions;
                try
                {
                    var leased = await grains.GetGrain<IWorkQueueGrain>(partition).Lease(worker, 1, options.Value.LeaseDuration);
                    if (leased.Length > 0)
                    {
                        assignment = leased[0];
                        cursor = partition;
                    }
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    // A partition whose grain sits on a silo that just died (or on storage that is down)
                    // must not starve the slot: the other partitions may have work.
                    failure = e;
                }
            }

            if (assignment is null && failure is not null)
            {
                LogLeaseFailed(failure, worker);
            }

            if (assignment is null)
            {
                try
                {
                    await Task.Delay(idle, time, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                idle = TimeSpan.FromMilliseconds(Math.Min(idle.TotalMilliseconds * 2, options.Value.MaxIdlePoll.TotalMilliseconds));
                continue;
            }

            idle = TimeSpan.FromMilliseconds(10);
            metrics?.SlotBusy(slot.Device);
            try
            {
                await RunTrialAsync(slot, assignment, stoppingToken);
            }
            finally
            {
                metrics?.SlotIdle(slot.Device);
            }
        }
    }

    private async Task RunTrialAsync(WorkerSlot slot, TrialAssignment assignment, CancellationToken stoppingToken)
    {
        var seed = grains.GetGrain<ISeedGrain>(assignment.SeedId);
        using var trialCancel = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var labels = TrialLabels.Of(assignment.Config);
        var meter = metrics is null ? null : new TrialProgressMeter(metrics, labels, slot.Device, time);
        var progress = new LatestProgress(meter);
        var started = time.GetTimestamp();
        var run = RunOnDedicatedThread(slot, assignment, progress, trialCancel.Token);
        var leaseLost = false;
        var stalled = false;
        var lastProgress = progress.Latest;
        var lastProgressAt = time.GetUtcNow();
        while (!run.IsCompleted)
        {
            var heartbeat = Task.Delay(options.Value.EffectiveHeartbeat, time, CancellationToken.None);
            await Task.WhenAny(run, heartbeat);
            if (run.IsCompleted || stoppingToken.IsCancellationRequested)
            {
                break;
            }

            if (!ReferenceEquals(progress.Latest, lastProgress))
            {
                lastProgress = progress.Latest;
                lastProgressAt = time.GetUtcNow();
            }
            else if (time.GetUtcNow() - lastProgressAt > options.Value.TrialStallTimeout)
            {
                stalled = true;
                break;
            }

            try
            {
                if (!await seed.Heartbeat(assignment.LeaseToken, progress.Latest))
                {
                    LogLeaseLost(assignment.SeedId, assignment.Attempt);
                    leaseLost = true;
                    break;
                }
            }
            catch (Exception e)
            {
                // A missed heartbeat is not fatal: the lease outlives a few of them.
                LogHeartbeatFailed(e, assignment.SeedId);
            }
        }

        if (!run.IsCompleted)
        {
            await trialCancel.CancelAsync();
            await Task.WhenAny(run, Task.Delay(CancelGrace, time, CancellationToken.None));
        }

        meter?.Complete();
        var attemptOutcome = leaseLost || (stoppingToken.IsCancellationRequested && !run.IsCompletedSuccessfully) ? "abandoned"
            : run.IsCompletedSuccessfully ? "succeeded" : "failed";
        metrics?.TrialAttemptEnded(labels, slot.Device, attemptOutcome, time.GetElapsedTime(started));
        if (leaseLost)
        {
            return;
        }

        if (stoppingToken.IsCancellationRequested && (!run.IsCompletedSuccessfully))
        {
            await ReportAsync(() => seed.Abandon(assignment.LeaseToken), assignment, "abandon", stoppingToken);
            return;
        }

        if (stalled && !run.IsCompletedSuccessfully)
        {
            var error = $"trial made no progress for {options.Value.TrialStallTimeout} (hung); cancelled";
            LogTrialFailed(assignment.SeedId, assignment.Attempt, error);
            await ReportAsync(() => seed.Fail(assignment.LeaseToken, error), assignment, "fail", stoppingToken);
            return;
        }

        if (run.IsCompletedSuccessfully)
        {
            var verdict = await ReportAsync(() => seed.Complete(assignment.LeaseToken, run.Result), assignment, "complete", stoppingToken);
            if (verdict is ReportVerdict.Accepted)
            {
                Interlocked.Increment(ref completed);
            }
        }
        else
        {
            var error = run.Exception?.GetBaseException() is { } e ? $"{e.GetType().Name}: {e.Message}" : "trial did not stop after cancellation";
            LogTrialFailed(assignment.SeedId, assignment.Attempt, error);
            await ReportAsync(() => seed.Fail(assignment.LeaseToken, error), assignment, "fail", stoppingToken);
        }
    }

    /// <summary>
    /// Reports with retries and backoff; the seed dedups a report that arrives twice. Storage may be
    /// briefly down, or the seed's grain may sit on a silo that died and that the cluster has not yet
    /// declared dead (tens of seconds): a finished trial's result is worth waiting
    /// <see cref="ReportPatience"/> for (or one lease while the silo shuts down), since a moved seed grain
    /// still accepts the holder's report. Giving up loses nothing: the lease expires and the seed runs again.
    /// </summary>
    private async Task<ReportVerdict?> ReportAsync(Func<Task<ReportVerdict>> report, TrialAssignment assignment, string what, CancellationToken stoppingToken)
    {
        var started = time.GetUtcNow();
        var backoff = TimeSpan.FromMilliseconds(200);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var verdict = await report();
                if (verdict == ReportVerdict.StaleLease)
                {
                    LogStaleReport(assignment.SeedId, assignment.Attempt, what);
                }

                return verdict;
            }
            catch (Exception e) when (time.GetUtcNow() - started < Patience(stoppingToken))
            {
                LogReportRetry(e, assignment.SeedId, what, attempt);
                await Task.Delay(backoff, time, CancellationToken.None);
                backoff = TimeSpan.FromMilliseconds(Math.Min(backoff.TotalMilliseconds * 2, 5000));
            }
            catch (Exception e)
            {
                LogReportGaveUp(e, assignment.SeedId, what);
                return null;
            }
        }
    }

    private TimeSpan Patience(CancellationToken stoppingToken) =>
        stoppingToken.IsCancellationRequested || options.Value.LeaseDuration > ReportPatience ? options.Value.LeaseDuration : ReportPatience;

    private Task<TrialOutcome> RunOnDedicatedThread(WorkerSlot slot, TrialAssignment assignment, IProgress<TrialProgress> progress, CancellationToken cancellationToken)
    {
        var result = new TaskCompletionSource<TrialOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                result.SetResult(executor.Run(assignment, slot, progress, cancellationToken));
            }
            catch (Exception e)
            {
                result.SetException(e);
            }
        })
        {
            IsBackground = true,
            Name = $"alpt-trial-{slot.Index}",
        };
        thread.Start();
        return result.Task;
    }

    private sealed class LatestProgress(TrialProgressMeter? meter) : IProgress<TrialProgress>
    {
        private TrialProgress? latest;

        public TrialProgress? Latest => Volatile.Read(ref latest);

        public void Report(TrialProgress value)
        {
            Volatile.Write(ref latest, value);
            meter?.Observe(value);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Worker {Worker} has no slots (coordinator only)")]
    private partial void LogCoordinatorOnly(string worker);

    [LoggerMessage(Level = LogLevel.Information, Message = "Worker {Worker} started with {Slots} slot(s): {Devices}")]
    private partial void LogStarted(string worker, int slots, string devices);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Worker {Worker} could not lease work")]
    private partial void LogLeaseFailed(Exception e, string worker);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lease of seed {SeedId} attempt {Attempt} was lost; the trial is stopped and its result dropped")]
    private partial void LogLeaseLost(string seedId, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Heartbeat of seed {SeedId} failed")]
    private partial void LogHeartbeatFailed(Exception e, string seedId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Trial of seed {SeedId} attempt {Attempt} failed: {Error}")]
    private partial void LogTrialFailed(string seedId, int attempt, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Report '{What}' of seed {SeedId} attempt {Attempt} came after the lease moved on; ignored")]
    private partial void LogStaleReport(string seedId, int attempt, string what);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Report '{What}' of seed {SeedId} failed (try {Try}); retrying")]
    private partial void LogReportRetry(Exception e, string seedId, string what, int @try);

    [LoggerMessage(Level = LogLevel.Error, Message = "Report '{What}' of seed {SeedId} failed; the lease will expire and the seed re-run")]
    private partial void LogReportGaveUp(Exception e, string seedId, string what);
}
