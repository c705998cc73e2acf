using Alpt.Grid.Abstractions.Trials;

namespace Alpt.Grid.Silo.Workers;

/// <summary>
/// Runs one trial. Called on a dedicated thread (never the grain scheduler), so it may block; it must
/// stop soon after <paramref name="cancellationToken"/> is cancelled (lease lost, shutdown).
/// </summary>
public interface ITrialExecutor
{
    TrialOutcome Run(TrialAssignment assignment, WorkerSlot slot, IProgress<TrialProgress> progress, CancellationToken cancellationToken);
}

/// <summary>Does nothing and returns deterministic metrics: measures the grid's own overhead.</summary>
public sealed class NoOpTrialExecutor : ITrialExecutor
{
    public TrialOutcome Run(TrialAssignment assignment, WorkerSlot slot, IProgress<TrialProgress> progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(assignment);
        return new TrialOutcome(SyntheticMetrics(assignment), TimeSpan.Zero);
    }

    /// <summary>Metrics that depend only on the trial (config and seed), like a deterministic real trial's.</summary>
    public static Dictionary<string, double> SyntheticMetrics(TrialAssignment assignment)
    {
        ArgumentNullException.ThrowIfNull(assignment);
        var noise = (assignment.Seed * 7919 % 101) / 1000.0;
        return new Dictionary<string, double>(StringComparer.Ordinal)
        {
            [TrialMetrics.IdmAccuracy] = 0.5 + noise,
            [TrialMetrics.NormalizedReturn] = (assignment.Config.Budget % 97) / 100.0 + noise,
            ["seed"] = assignment.Seed,
        };
    }
}
