using System.Diagnostics;
using Alpt.Grid.Abstractions.Trials;
using Alpt.Grid.Silo.Configuration;

namespace Alpt.Grid.Silo.Workers;

/// <summary>
/// A stand-in trial for tests and load runs: takes a set time (reporting progress), can throw on the
/// first attempts or always, can hang, can run out of memory, and logs every execution so tests can count re-runs.
/// </summary>
public sealed class SyntheticTrialExecutor(TrialExecutorOptions options) : ITrialExecutor
{
    private static readonly Lock LogLock = new();

    /// <summary>The training throughput the synthetic trial reports.</summary>
    public const double SyntheticSamplesPerSecond = 1000;

    public TrialOutcome Run(TrialAssignment assignment, WorkerSlot slot, IProgress<TrialProgress> progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(assignment);
        ArgumentNullException.ThrowIfNull(slot);
        ArgumentNullException.ThrowIfNull(progress);
        var watch = Stopwatch.StartNew();
        if (options.ExecutionLog is { } log)
        {
            lock (LogLock)
            {
                File.AppendAllText(log, $"{assignment.SeedId} {assignment.Attempt} {slot.Device}#{slot.Index}{Environment.NewLine}");
            }
        }

        if (options.HangSeeds.Contains(assignment.Seed))
        {
            // A hung trial: no progress, no end, until the worker gives up on it.
            cancellationToken.WaitHandle.WaitOne();
            cancellationToken.ThrowIfCancellationRequested();
        }

        const int steps = 10;
        for (var step = 1; step <= steps; step++)
        {
            if (cancellationToken.WaitHandle.WaitOne(options.DelayMilliseconds / steps))
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            // A throughput, as a real training loop reports one (it feeds alpt_training_samples_total).
            progress.Report(new TrialProgress("synthetic", step, steps, SamplesPerSecond: SyntheticSamplesPerSecond));
        }

        if (options.OutOfMemorySeeds.Contains(assignment.Seed))
        {
            // What a trial whose allocation failed sees, without exhausting the machine's memory.
            throw new OutOfMemoryException($"synthetic out of memory in seed {assignment.Seed} (allocation cap)");
        }

        if (options.ThrowSeeds.Contains(assignment.Seed))
        {
            throw new InvalidOperationException($"synthetic failure of seed {assignment.Seed} (always fails)");
        }

        if (assignment.Attempt <= options.FailFirstAttempts)
        {
            throw new InvalidOperationException($"synthetic failure of attempt {assignment.Attempt}");
        }

        return new TrialOutcome(NoOpTrialExecutor.SyntheticMetrics(assignment), watch.Elapsed, NoOpTrialExecutor.SyntheticCurves(assignment));
    }
}
