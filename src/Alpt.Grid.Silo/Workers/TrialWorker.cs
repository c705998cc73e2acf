using Alpt.Grid.Abstractions.Queue;
using Alpt.Grid.Abstractions.Seeds;
using Alpt.Grid.Abstractions.Trials;
using Alpt.Grid.Grains.Telemetry;
using Alpt.Grid.Silo.Configuration;
using Alpt.Grid.Silo.Telemetry;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;

namespace Alpt.Grid.Silo.Workers;

/// <summary>
/// The worker of a silo: one loop per slot that leases a queued seed, runs its trial on a dedicated
/// thread, heartbeats with progress while it runs (renewing the lease), and reports the outcome or
/// the error. A lost lease cancels the trial and drops its result. Asked to stop (SIGTERM), it drains:
/// no slot leases again, a running trial gets <see cref="GridSiloOptions.DrainGrace"/> to finish (and
/// its result is reported), then it is cancelled and handed back to the queue without counting the
/// attempt, so another silo runs it at once rather than after its lease expires; all of that within
/// <see cref="GridSiloOptions.WorkerStopBudget"/>, whatever storage does.
/// </summary>
public sealed partial class TrialWorker(
    IGrainFactory grains,
    ITrialExecutor executor,
    SlotPlan plan,
    IOptions<GridSiloOptions> options,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    ILogger<TrialWorker> logger,
    GridMetrics? metrics = null) : BackgroundService
{
    /// <summary>How long a cancelled trial gets to stop before its attempt is reported (its slot stays held until it ends).</summary>
    private static readonly TimeSpan CancelGrace = TimeSpan.FromSeconds(5);

    /// <summary>How long a report is retried: longer than the cluster takes to declare a dead silo dead.</summary>
    private static readonly TimeSpan ReportPatience = TimeSpan.FromMinutes(2);

    private readonly IReadOnlyList<WorkerSlot> slots = plan.Slots;

    /// <summary>Cancelled when running trials must stop: <see cref="GridSiloOptions.DrainGrace"/> after the stop request.</summary>
    private readonly CancellationTokenSource drainOver = new(Timeout.InfiniteTimeSpan, time);

    /// <summary>Cancelled when the worker's part of the shutdown is over: reports still retrying give up then.</summary>
    private readonly CancellationTokenSource stopBudgetOver = new(Timeout.InfiniteTimeSpan, time);

    private long completed;

    public IReadOnlyList<WorkerSlot> Slots => slots;

    /// <summary>Trials this worker completed (accepted by their seed).</summary>
    public long Completed => Interlocked.Read(ref completed);

    public string WorkerName { get; } = options.Value.SiloName ?? $"{Environment.MachineName}:{options.Value.SiloPort}";

    /// <summary>Stops leasing at once, lets running trials drain, and returns within the worker's stop budget.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        var drainGrace = options.Value.DrainGrace;
        var budget = options.Value.WorkerStopBudget;
        LogStopping(WorkerName, drainGrace, budget);
        drainOver.CancelAfter(drainGrace);
        stopBudgetOver.CancelAfter(budget);
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, stopBudgetOver.Token);
        await base.StopAsync(bounded.Token);
    }

    public override void Dispose()
    {
        drainOver.Dispose();
        stopBudgetOver.Dispose();
        base.Dispose();
    }

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
        foreach (var line in plan.Describe())
        {
            LogPlan(WorkerName, line);
        }

        var devices = slots.GroupBy(s => s.Device, StringComparer.Ordinal).Select(g => (Device: g.Key, Count: g.Count())).ToList();
        devices.ForEach(d => metrics?.SlotsStarted(d.Device, d.Count));
        try
        {
            await Task.WhenAll([.. slots.Select(slot => RunSlotAsync(slot, stoppingToken)), AnnounceAsync(stoppingToken)]);
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
                    // A lease call the stop overtakes is awaited only for the stop budget (storage may be down).
                    var leased = await grains.GetGrain<IWorkQueueGrain>(partition).Lease(worker, 1, options.Value.LeaseDuration, slot.Kind).WaitAsync(stopBudgetOver.Token);
                    if (leased.Length > 0)
                    {
                        assignment = leased[0];
                        cursor = partition;
                    }
                }
                catch (Exception e)
                {
                    // A partition whose grain sits on a silo that just died (or on storage that is down)
                    // must not starve the slot: the other partitions may have work.
                    failure = e;
                }
            }

            if (assignment is null && failure is not null && !stoppingToken.IsCancellationRequested)
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

            if (stoppingToken.IsCancellationRequested)
            {
                // Leased as the stop came: hand it straight back rather than start a trial we would cancel.
                var seed = grains.GetGrain<ISeedGrain>(assignment.SeedId);
                await ReportAsync(() => seed.Abandon(assignment.LeaseToken), assignment, "abandon");
                return;
            }

            idle = TimeSpan.FromMilliseconds(10);
            metrics?.SlotBusy(slot.Device);
            try
            {
                var run = await RunTrialAsync(slot, assignment);
                if (!run.IsCompleted)
                {
                    // A trial that ignored cancellation still holds the slot's cores (or GPU): its attempt has been
                    // reported, but the slot takes no new work until its thread ends (or the process stops).
                    LogSlotHeld(worker, assignment.SeedId, assignment.Attempt);
                    try
                    {
                        await run.WaitAsync(stoppingToken);
                    }
                    catch (Exception) when (run.IsCompleted || stoppingToken.IsCancellationRequested)
                    {
                    }
                }
            }
            finally
            {
                metrics?.SlotIdle(slot.Device);
            }
        }
    }

    /// <summary>
    /// Tells the worker directory, while running, which slots this worker offers (so a sweep asking for a
    /// kind nobody offers says so), and that it left when it stops.
    /// </summary>
    private async Task AnnounceAsync(CancellationToken stoppingToken)
    {
        var directory = grains.GetGrain<IWorkerDirectoryGrain>(0);
        var offer = slots.GroupBy(s => s.Kind).ToDictionary(g => g.Key, g => g.Count());
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await directory.Report(WorkerName, offer);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                LogAnnounceFailed(e, WorkerName);
            }

            try
            {
                await Task.Delay(WorkerDirectory.ReportInterval, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        try
        {
            await directory.Leave(WorkerName).WaitAsync(TimeSpan.FromSeconds(2), time, stopBudgetOver.Token);
        }
        catch (Exception e)
        {
            // Best effort: an entry left behind expires on its own.
            LogAnnounceFailed(e, WorkerName);
        }
    }

    /// <summary>Runs one attempt and reports it; returns the trial's own task, which may outlive the report when the trial ignores cancellation.</summary>
    private async Task<Task> RunTrialAsync(WorkerSlot slot, TrialAssignment assignment)
    {
        var seed = grains.GetGrain<ISeedGrain>(assignment.SeedId);
        using var trialCancel = CancellationTokenSource.CreateLinkedTokenSource(drainOver.Token);
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
            // While the silo drains, the trial keeps heartbeating (its lease stays ours) until the grace is over.
            var heartbeat = Task.Delay(options.Value.EffectiveHeartbeat, time, drainOver.Token);
            await Task.WhenAny(run, heartbeat);
            if (run.IsCompleted || drainOver.IsCancellationRequested)
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
                if (!await seed.Heartbeat(assignment.LeaseToken, progress.Latest).WaitAsync(drainOver.Token))
                {
                    LogLeaseLost(assignment.SeedId, assignment.Attempt);
                    leaseLost = true;
                    break;
                }
            }
            catch (Exception e)
            {
                if (drainOver.IsCancellationRequested)
                {
                    break;
                }

                // A missed heartbeat is not fatal: the lease outlives a few of them.
                LogHeartbeatFailed(e, assignment.SeedId);
            }
        }

        if (!run.IsCompleted)
        {
            await trialCancel.CancelAsync();
            await Task.WhenAny(run, Task.Delay(CancelGrace, time, stopBudgetOver.Token));
        }

        meter?.Complete();
        var handBack = drainOver.IsCancellationRequested && !run.IsCompletedSuccessfully;
        var attemptOutcome = leaseLost || handBack ? "abandoned"
            : run.IsCompletedSuccessfully ? "succeeded" : "failed";
        metrics?.TrialAttemptEnded(labels, slot.Device, attemptOutcome, time.GetElapsedTime(started));
        if (leaseLost)
        {
            return run;
        }

        if (handBack)
        {
            LogHandingBack(assignment.SeedId, assignment.Attempt, options.Value.DrainGrace);
            await ReportAsync(() => seed.Abandon(assignment.LeaseToken), assignment, "abandon");
            return run;
        }

        if (stalled && !run.IsCompletedSuccessfully)
        {
            var error = $"trial made no progress for {options.Value.TrialStallTimeout} (hung); cancelled";
            LogTrialFailed(assignment.SeedId, assignment.Attempt, error);
            await ReportAsync(() => seed.Fail(assignment.LeaseToken, error), assignment, "fail");
            return run;
        }

        if (run.IsCompletedSuccessfully)
        {
            var verdict = await ReportAsync(() => seed.Complete(assignment.LeaseToken, run.Result), assignment, "complete");
            if (verdict is ReportVerdict.Accepted)
            {
                Interlocked.Increment(ref completed);
            }
        }
        else
        {
            var error = run.Exception?.GetBaseException() is { } e ? $"{e.GetType().Name}: {e.Message}" : "trial did not stop after cancellation";
            LogTrialFailed(assignment.SeedId, assignment.Attempt, error);
            await ReportAsync(() => seed.Fail(assignment.LeaseToken, error), assignment, "fail");
        }

        return run;
    }

    /// <summary>
    /// Reports with retries and backoff (a Polly pipeline); the seed dedups a report that arrives twice.
    /// Storage may be briefly down, or the seed's grain may sit on a silo that died and that the cluster
    /// has not yet declared dead (tens of seconds): a finished trial's result is worth waiting
    /// <see cref="ReportPatience"/> (or a lease, if longer) for, since a moved seed grain still accepts the
    /// holder's report, but never past the worker's stop budget once the silo is stopping. Giving up loses
    /// nothing: the lease expires and the seed runs again.
    /// </summary>
    private async Task<ReportVerdict?> ReportAsync(Func<Task<ReportVerdict>> report, TrialAssignment assignment, string what)
    {
        var started = time.GetTimestamp();
        var patience = options.Value.LeaseDuration > ReportPatience ? options.Value.LeaseDuration : ReportPatience;
        var pipeline = new ResiliencePipelineBuilder<ReportVerdict> { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions<ReportVerdict>
            {
                ShouldHandle = args => ValueTask.FromResult(
                    args.Outcome.Exception is { } e && e is not OperationCanceledException && time.GetElapsedTime(started) < patience),
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                Delay = TimeSpan.FromMilliseconds(200),
                MaxDelay = TimeSpan.FromSeconds(5),
                UseJitter = false,
                OnRetry = args =>
                {
                    LogReportRetry(args.Outcome.Exception!, assignment.SeedId, what, args.AttemptNumber + 1);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
        try
        {
            var verdict = await pipeline.ExecuteAsync(async ct => await report().WaitAsync(ct), stopBudgetOver.Token);
            if (verdict == ReportVerdict.StaleLease)
            {
                LogStaleReport(assignment.SeedId, assignment.Attempt, what);
            }

            return verdict;
        }
        catch (Exception e)
        {
            LogReportGaveUp(e, assignment.SeedId, what);
            return null;
        }
    }

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

    [LoggerMessage(Level = LogLevel.Information, Message = "Worker {Worker} stopping: no more leases; running trials get {DrainGrace} to finish, then are handed back (the worker stops within {Budget})")]
    private partial void LogStopping(string worker, TimeSpan drainGrace, TimeSpan budget);

    [LoggerMessage(Level = LogLevel.Information, Message = "Handing seed {SeedId} attempt {Attempt} back to the queue: it did not finish within the drain grace {DrainGrace}")]
    private partial void LogHandingBack(string seedId, int attempt, TimeSpan drainGrace);

    [LoggerMessage(Level = LogLevel.Information, Message = "Worker {Worker} started with {Slots} slot(s): {Devices}")]
    private partial void LogStarted(string worker, int slots, string devices);

    [LoggerMessage(Level = LogLevel.Information, Message = "Worker {Worker} slot plan: {Line}")]
    private partial void LogPlan(string worker, string line);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Worker {Worker} could not tell the worker directory its slots")]
    private partial void LogAnnounceFailed(Exception e, string worker);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Worker {Worker} could not lease work")]
    private partial void LogLeaseFailed(Exception e, string worker);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lease of seed {SeedId} attempt {Attempt} was lost; the trial is stopped and its result dropped")]
    private partial void LogLeaseLost(string seedId, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Slot {Worker} waits for the trial of seed {SeedId} attempt {Attempt}, which ignored cancellation, before taking new work")]
    private partial void LogSlotHeld(string worker, string seedId, int attempt);

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
