using System.Diagnostics;
using Alpt.Grid.Abstractions.Trials;
using Alpt.Grid.Silo.Workers;
using Alpt.Learning.Runtime;
using Alpt.Learning.Trials;
using GridProgress = Alpt.Grid.Abstractions.Trials.TrialProgress;
using LearningProgress = Alpt.Learning.Trials.TrialProgress;

namespace Alpt.Grid.Silo.Trials;

/// <summary>
/// The real trial: maps the assignment to a learning <see cref="TrialSpec"/>, runs
/// <see cref="TrialRunner.Run"/> on the worker's dedicated thread with the slot's device and thread
/// budget (<see cref="SlotPlan"/>: a share of the cores over all the silo's slots), forwards progress as
/// heartbeats, and returns the metrics the grid aggregates.
/// </summary>
public sealed class LearningTrialExecutor(IDatasetSource datasets, string? executionLog = null) : ITrialExecutor
{
    private static readonly Lock LogLock = new();

    public TrialOutcome Run(TrialAssignment assignment, WorkerSlot slot, IProgress<GridProgress> progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(assignment);
        ArgumentNullException.ThrowIfNull(slot);
        ArgumentNullException.ThrowIfNull(progress);
        if (executionLog is not null)
        {
            lock (LogLock)
            {
                File.AppendAllText(executionLog, $"{assignment.SeedId} {assignment.Attempt} {slot.Device}#{slot.Index}{Environment.NewLine}");
            }
        }

        var watch = Stopwatch.StartNew();
        var spec = TrialSpecs.Checked(assignment.Config, assignment.Seed);
        var device = TorchRuntime.ResolveDevice(slot.Device);
        var result = TrialRunner.Run(spec, datasets, device, new Forward(progress), cancellationToken, null, slot.Threads);
        return new TrialOutcome(Metrics(result), watch.Elapsed, Curves(result));
    }

    /// <summary>
    /// The curves a trial stores with its result: each training phase's loss, and the policy's return
    /// (normalized and raw) evaluated while it trained, where the trial measured it.
    /// </summary>
    public static TrialCurve[] Curves(TrialResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var curves = result.Curves.Select(c => TrialCurves.Bounded(c.Phase, TrialCurves.Loss, c.Steps, c.Losses)).ToList();
        if (result.PolicyCheckpoints is { Count: > 0 } checkpoints)
        {
            int[] steps = [.. checkpoints.Select(c => c.Step)];
            curves.Add(TrialCurves.Bounded(TrialPhases.PolicyTraining, TrialCurves.NormalizedReturn, steps, [.. checkpoints.Select(c => c.NormalizedScore)]));
            curves.Add(TrialCurves.Bounded(TrialPhases.PolicyTraining, TrialCurves.Return, steps, [.. checkpoints.Select(c => c.MeanReturn)]));
        }

        return [.. curves];
    }

    /// <summary>The metrics a trial reports to its experiment: accuracy, returns, sizes and timings.</summary>
    public static Dictionary<string, double> Metrics(TrialResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var metrics = new Dictionary<string, double>(StringComparer.Ordinal)
        {
            [TrialMetrics.NormalizedReturn] = result.Evaluation.NormalizedScore,
            [TrialMetrics.Return] = result.Evaluation.MeanReturn,
            ["return_std"] = result.Evaluation.StdReturn,
            ["labelled_transitions"] = result.LabelledTransitions,
            ["seconds_total"] = result.TotalSeconds,
        };
        if (result.IdmAccuracy is { } accuracy)
        {
            metrics[TrialMetrics.IdmAccuracy] = accuracy.Overall;
        }

        foreach (var (phase, seconds) in result.PhaseSeconds)
        {
            metrics["seconds_" + phase] = seconds;
        }

        return metrics;
    }

    /// <summary>Learning progress → the grid's heartbeat progress (NaN loss or rate = none).</summary>
    private sealed class Forward(IProgress<GridProgress> target) : IProgress<LearningProgress>
    {
        public void Report(LearningProgress value) => target.Report(new GridProgress(
            value.Phase,
            value.Step,
            value.TotalSteps,
            double.IsFinite(value.Loss) ? value.Loss : null,
            double.IsFinite(value.SamplesPerSecond) ? value.SamplesPerSecond : null));
    }
}
