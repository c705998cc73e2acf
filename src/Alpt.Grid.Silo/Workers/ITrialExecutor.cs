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
        return new TrialOutcome(SyntheticMetrics(assignment), TimeSpan.Zero, SyntheticCurves(assignment));
    }

    /// <summary>
    /// Curves that depend only on the trial, shaped like a real one's: a loss falling over 100 policy steps
    /// (an IDM loss too for the methods that train one) and the return climbing to the synthetic metric.
    /// </summary>
    public static TrialCurve[] SyntheticCurves(TrialAssignment assignment)
    {
        ArgumentNullException.ThrowIfNull(assignment);
        var metrics = SyntheticMetrics(assignment);
        var noise = (assignment.Seed * 7919 % 101) / 1000.0;
        int[] steps = [.. Enumerable.Range(1, 20).Select(i => i * 5)];
        var curves = new List<TrialCurve>();
        if (assignment.Config.Method is "alpt" or "idm-target")
        {
            curves.Add(new TrialCurve(Alpt.Learning.Trials.TrialPhases.IdmTraining, TrialCurves.Loss, steps, [.. steps.Select(s => 1.8 * Math.Exp(-s / 30.0) + 0.2 + noise)]));
        }

        curves.Add(new TrialCurve(Alpt.Learning.Trials.TrialPhases.PolicyTraining, TrialCurves.Loss, steps, [.. steps.Select(s => 1.5 * Math.Exp(-s / 40.0) + 0.3 + noise)]));
        int[] checks = [25, 50, 75, 100];
        curves.Add(new TrialCurve(Alpt.Learning.Trials.TrialPhases.PolicyTraining, TrialCurves.NormalizedReturn, checks, [.. checks.Select(s => metrics[TrialMetrics.NormalizedReturn] * s / 100.0)]));
        return [.. curves];
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
