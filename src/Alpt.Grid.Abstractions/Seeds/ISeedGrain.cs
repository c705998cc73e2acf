using Alpt.Grid.Abstractions.Trials;

namespace Alpt.Grid.Abstractions.Seeds;

/// <summary>
/// One trial (key: experiment id + "/" + seed): Pending → Queued → Running(attempt, worker, lease) →
/// Succeeded | Failed | Cancelled. Reports are fenced by the lease token.
/// </summary>
[Alias("alpt.ISeedGrain")]
public interface ISeedGrain : IGrainWithStringKey
{
    /// <summary>Defines the seed (first call) and makes sure it is queued unless finished; idempotent.</summary>
    Task<SeedState> Submit(SeedDefinition definition);

    /// <summary>Called by the work queue: starts an attempt for this worker, or null if the seed is no longer queued.</summary>
    Task<TrialAssignment?> BeginAttempt(SeedDefinition definition, string worker, TimeSpan leaseDuration);

    /// <summary>Renews the lease; false means the caller lost it (stop the trial).</summary>
    Task<bool> Heartbeat(Guid leaseToken, TrialProgress? progress);

    Task<ReportVerdict> Complete(Guid leaseToken, TrialOutcome outcome);

    Task<ReportVerdict> Fail(Guid leaseToken, string error);

    /// <summary>The worker is shutting down: the attempt goes back to the queue without counting.</summary>
    Task<ReportVerdict> Abandon(Guid leaseToken);

    /// <summary>Called by the work queue when its copy of the lease ran out: expires the attempt if it really did.</summary>
    Task<LeaseCheck> CheckLease();

    Task<bool> Cancel();

    /// <summary>Failed or cancelled → queued again with a fresh attempt count.</summary>
    Task<bool> Retry(SeedDefinition definition);

    Task<SeedStatus> GetStatus();

    /// <summary>Every attempt that ended, in order, as stored with the seed's state (the accepted result's attempt and lease token among them).</summary>
    Task<AttemptRecord[]> GetHistory();
}
