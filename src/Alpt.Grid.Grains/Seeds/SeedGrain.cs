using Alpt.Grid.Abstractions.Experiments;
using Alpt.Grid.Abstractions.Queue;
using Alpt.Grid.Abstractions.Seeds;
using Alpt.Grid.Abstractions.Trials;
using Alpt.Grid.Grains.Hosting;
using Alpt.Grid.Grains.Telemetry;
using Microsoft.Extensions.Options;

namespace Alpt.Grid.Grains.Seeds;

[GenerateSerializer]
[Alias("alpt.SeedGrainState")]
public sealed class SeedGrainState
{
    [Id(0)] public SeedDefinition? Definition { get; set; }

    [Id(1)] public SeedState State { get; set; }

    [Id(2)] public int Attempt { get; set; }

    [Id(3)] public string? Worker { get; set; }

    [Id(4)] public Guid LeaseToken { get; set; }

    [Id(5)] public DateTimeOffset? LeaseExpiresAt { get; set; }

    [Id(6)] public TimeSpan LeaseDuration { get; set; }

    [Id(7)] public string? LastError { get; set; }

    [Id(8)] public TrialOutcome? Outcome { get; set; }

    /// <summary>Every ended attempt, stored in the same write as the transition that ended it.</summary>
    [Id(9)] public List<AttemptRecord> History { get; set; } = [];
}

/// <summary>
/// The state machine of one trial. Not reentrant: every transition is one turn, stored before it is
/// acknowledged, so a result is recorded exactly once. A newly submitted seed is not stored until it
/// first runs: its definition travels in the queue, and a lost queue is rebuilt by resuming the sweep
/// from its experiments, so the first write can wait (this halves the cost of launching a sweep). Never calls the queue from a method the queue
/// calls (BeginAttempt, CheckLease), so the two cannot wait on each other.
/// </summary>
public sealed class SeedGrain(
    [PersistentState("seed", GridGrainOptions.StorageName)] IPersistentState<SeedGrainState> store,
    IOptions<GridGrainOptions> options,
    GridClock time,
    GridMetrics? metrics = null) : Grain, ISeedGrain
{
    private TrialProgress? progress;

    private SeedGrainState S => store.State;

    private string SeedId => this.GetPrimaryKeyString();

    private IWorkQueueGrain Queue => GrainFactory.GetGrain<IWorkQueueGrain>(QueuePartitions.Of(SeedId, options.Value.QueuePartitions));

    /// <summary>
    /// A running seed whose grain activates here has moved (its silo died, the cluster restarted) or
    /// dropped a failed write. While it was unreachable its lease holder could not heartbeat, so silence
    /// until now says nothing about the holder: it gets one lease period from now to reach this
    /// activation before its lease counts as expired and costs the seed an attempt. Fencing is unchanged.
    /// </summary>
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (S.State == SeedState.Running && S.LeaseExpiresAt is { } expires && S.LeaseDuration > TimeSpan.Zero)
        {
            var grace = time.UtcNow + S.LeaseDuration;
            S.LeaseExpiresAt = expires > grace ? expires : grace;
        }

        return base.OnActivateAsync(cancellationToken);
    }

    async Task<SeedState> ISeedGrain.Submit(SeedDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        if (!store.RecordExists && S.State == SeedState.Pending)
        {
            S.Definition = definition;
            S.State = SeedState.Queued;
        }

        switch (S.State)
        {
            case SeedState.Queued:
                await Queue.Enqueue(S.Definition ?? definition);
                break;
            case SeedState.Running when S.LeaseExpiresAt is { } expires:
                await Queue.Track(SeedId, expires);
                break;
            case SeedState.Succeeded or SeedState.Failed or SeedState.Cancelled when S.Definition is not null:
                // The experiment resubmits only seeds it has no record of: the process died between this seed's
                // write and its report. Hand the record over again (the experiment keeps one per seed).
                await Finished(releaseFromQueue: false);
                break;
        }

        return S.State;
    }

    async Task<TrialAssignment?> ISeedGrain.BeginAttempt(SeedDefinition queuedDefinition, string worker, TimeSpan leaseDuration)
    {
        if (!store.RecordExists && S.State is SeedState.Pending or SeedState.Queued)
        {
            // Never stored: queued by a submit whose activation has since gone; the queue carried the definition.
            S.Definition ??= queuedDefinition;
            S.State = SeedState.Queued;
        }

        if (S.State != SeedState.Queued || S.Definition is not { } definition)
        {
            return null;
        }

        S.Attempt++;
        S.State = SeedState.Running;
        S.Worker = worker;
        S.LeaseToken = Guid.NewGuid();
        S.LeaseDuration = leaseDuration;
        S.LeaseExpiresAt = time.UtcNow + leaseDuration;
        progress = null;
        await WriteAsync();
        _ = Experiment.SeedStarted(definition.Seed, worker);
        return new TrialAssignment(SeedId, definition.ExperimentId, definition.Config, definition.Seed, S.Attempt, S.LeaseToken, S.LeaseExpiresAt.Value);
    }

    async Task<bool> ISeedGrain.Heartbeat(Guid leaseToken, TrialProgress? report)
    {
        if (!HoldsLease(leaseToken))
        {
            return false;
        }

        progress = report ?? progress;
        S.LeaseExpiresAt = time.UtcNow + S.LeaseDuration;
        await WriteAsync();
        return true;
    }

    async Task<ReportVerdict> ISeedGrain.Complete(Guid leaseToken, TrialOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        if (S.State == SeedState.Succeeded && S.LeaseToken == leaseToken)
        {
            // A retried report. The first was stored, but may have failed before the experiment heard of it
            // (its silo had just died): tell it again; it keeps one record per seed.
            await Finished();
            return ReportVerdict.AlreadyRecorded;
        }

        if (!HoldsLease(leaseToken))
        {
            return ReportVerdict.StaleLease;
        }

        S.State = SeedState.Succeeded;
        S.Outcome = outcome;
        S.LeaseExpiresAt = null;
        Ended(AttemptEnd.Succeeded);
        await WriteAsync();
        // Here and not on the worker: only the lease holder's result is recorded, exactly once.
        metrics?.TrialSucceeded(Labels, Metric(outcome, TrialMetrics.IdmAccuracy), Metric(outcome, TrialMetrics.NormalizedReturn));
        await Finished();
        return ReportVerdict.Accepted;
    }

    async Task<ReportVerdict> ISeedGrain.Fail(Guid leaseToken, string error)
    {
        if (!HoldsLease(leaseToken))
        {
            if (S.LeaseToken != leaseToken || S.State is not (SeedState.Queued or SeedState.Failed))
            {
                return ReportVerdict.StaleLease;
            }

            // A retried report whose first was stored but may not have reached the queue or the experiment.
            if (S.State == SeedState.Queued)
            {
                await Queue.Enqueue(S.Definition!);
            }
            else
            {
                await Finished();
            }

            return ReportVerdict.AlreadyRecorded;
        }

        S.LastError = $"attempt {S.Attempt} on {S.Worker}: {error}";
        Ended(AttemptEnd.Failed);
        var requeued = EndAttempt();
        RecordAttemptEnd(requeued);
        await WriteAsync();
        if (requeued)
        {
            await Queue.Enqueue(S.Definition!);
        }
        else
        {
            await Finished();
        }

        return ReportVerdict.Accepted;
    }

    async Task<ReportVerdict> ISeedGrain.Abandon(Guid leaseToken)
    {
        if (!HoldsLease(leaseToken))
        {
            if (S.State == SeedState.Queued && S.LeaseToken == leaseToken)
            {
                // A retried hand-back whose first was stored but may not have reached the queue.
                await Queue.Enqueue(S.Definition!);
                return ReportVerdict.AlreadyRecorded;
            }

            return ReportVerdict.StaleLease;
        }

        Ended(AttemptEnd.Abandoned);
        S.Attempt--;
        S.State = SeedState.Queued;
        S.LeaseExpiresAt = null;
        await WriteAsync();
        await Queue.Enqueue(S.Definition!);
        return ReportVerdict.Accepted;
    }

    async Task<LeaseCheck> ISeedGrain.CheckLease()
    {
        if (S.State == SeedState.Running && S.LeaseExpiresAt is { } expires && expires <= time.UtcNow)
        {
            S.LastError = $"attempt {S.Attempt} on {S.Worker}: lease expired at {expires:O} (no heartbeat)";
            Ended(AttemptEnd.Expired);
            var requeued = EndAttempt();
            metrics?.LeaseExpired();
            RecordAttemptEnd(requeued);
            await WriteAsync();
            if (!requeued)
            {
                // Out of attempts. The queue called us, so tell only the experiment, never the queue.
                await Finished(releaseFromQueue: false);
            }

            return new LeaseCheck(S.State, null, Expired: true, S.Definition);
        }

        if (S.State.IsTerminal() && S.Definition is not null)
        {
            // The queue still tracks a finished seed only when its release was lost, or telling the experiment
            // failed after the seed stored its end (as the last attempt's expiry above can): tell it again (it
            // keeps one record per seed). A failure here leaves the lease tracked, so the queue asks again.
            await Finished(releaseFromQueue: false);
        }

        return new LeaseCheck(S.State, S.State == SeedState.Running ? S.LeaseExpiresAt : null, Expired: false, S.Definition);
    }

    async Task<bool> ISeedGrain.Cancel()
    {
        // Stored even for a seed never stored before, so that its queue entry finds it cancelled.
        if (S.State.IsTerminal())
        {
            // The experiment asks only seeds it has no record of: an earlier cancel stored this one and was cut
            // short before the experiment heard, or its end is still on its way. Hand the record over (idempotent).
            if (S.Definition is not null)
            {
                await Finished(releaseFromQueue: false);
            }

            return false;
        }

        if (S.State == SeedState.Running)
        {
            Ended(AttemptEnd.Cancelled);
        }

        S.State = SeedState.Cancelled;
        S.LeaseExpiresAt = null;
        S.LastError = "cancelled";
        await WriteAsync();
        metrics?.TrialCancelled(Labels);
        _ = Queue.Release(SeedId);
        return true;
    }

    async Task<bool> ISeedGrain.Retry(SeedDefinition definition)
    {
        if (S.State is not (SeedState.Failed or SeedState.Cancelled))
        {
            return false;
        }

        S.Definition ??= definition;
        S.State = SeedState.Queued;
        S.Attempt = 0;
        S.LastError = null;
        await WriteAsync();
        await Queue.Enqueue(S.Definition!);
        return true;
    }

    Task<SeedStatus> ISeedGrain.GetStatus() => Task.FromResult(new SeedStatus(
        SeedId, S.State, S.Attempt, S.Worker, S.State == SeedState.Running ? S.LeaseExpiresAt : null, S.LastError, S.Outcome, progress));

    Task<AttemptRecord[]> ISeedGrain.GetHistory() => Task.FromResult(S.History.ToArray());

    private void Ended(AttemptEnd end) => S.History.Add(new AttemptRecord(S.Attempt, S.LeaseToken, S.Worker, end, time.UtcNow));

    private IExperimentGrain Experiment => GrainFactory.GetGrain<IExperimentGrain>(S.Definition!.ExperimentId);

    private TrialLabels Labels => TrialLabels.Of(S.Definition!.Config);

    private static double? Metric(TrialOutcome outcome, string name) => outcome.Metrics.TryGetValue(name, out var value) ? value : null;

    private void RecordAttemptEnd(bool requeued)
    {
        if (requeued)
        {
            metrics?.TrialRetried();
        }
        else
        {
            metrics?.TrialFailed(Labels);
        }
    }

    /// <summary>
    /// Stores the state. Each method changes the state in memory before it writes, so a write that fails
    /// (storage unreachable, a conflict) would leave this activation believing something storage does not
    /// hold, e.g. Running under a lease nobody has, refusing every later lease. Instead the activation is
    /// dropped and the next call starts from what storage holds; the caller sees the error and retries.
    /// </summary>
    private async Task WriteAsync()
    {
        try
        {
            await store.WriteStateAsync();
        }
        catch
        {
            this.DeactivateOnIdle();
            throw;
        }
    }

    private bool HoldsLease(Guid leaseToken) => S.State == SeedState.Running && S.LeaseToken == leaseToken;

    /// <summary>Ends the running attempt after a failure: back to the queue, or Failed when attempts are used up.</summary>
    private bool EndAttempt()
    {
        S.LeaseExpiresAt = null;
        if (S.Attempt >= S.Definition!.MaxAttempts)
        {
            S.State = SeedState.Failed;
            return false;
        }

        S.State = SeedState.Queued;
        return true;
    }

    private async Task Finished(bool releaseFromQueue = true)
    {
        // The curves stay here, stored with the result; the experiment reads them from the seed when asked.
        var outcome = S.Outcome is { Curves: not null } o ? o with { Curves = null } : S.Outcome;
        await Experiment.SeedFinished(S.Definition!.Seed, S.State, S.Attempt, outcome, S.State == SeedState.Succeeded ? null : S.LastError, S.Worker);
        if (releaseFromQueue)
        {
            _ = Queue.Release(SeedId);
        }
    }
}
