using Alpt.Grid.Abstractions.Trials;
using Alpt.Grid.Grains.Telemetry;

namespace Alpt.Grid.Silo.Telemetry;

/// <summary>
/// Turns one trial attempt's progress reports into metrics: how long each phase took (from its first
/// report to the first report of the next phase, or the end) and how many training samples were
/// processed (reported samples/s times the time between reports). Called from the trial's thread.
/// </summary>
public sealed class TrialProgressMeter(GridMetrics metrics, TrialLabels trial, string device, TimeProvider time)
{
    private readonly Lock gate = new();
    private string? phase;
    private long phaseStarted;
    private long lastReport;

    /// <summary>Takes one progress report of the trial.</summary>
    public void Observe(TrialProgress progress)
    {
        ArgumentNullException.ThrowIfNull(progress);
        lock (gate)
        {
            var now = time.GetTimestamp();
            if (phase is not null && progress.Phase == phase && progress.SamplesPerSecond is { } rate && rate > 0)
            {
                metrics.TrainingSamples(device, phase, (long)Math.Round(rate * time.GetElapsedTime(lastReport, now).TotalSeconds));
            }

            if (progress.Phase != phase)
            {
                EndPhase(now);
                phase = progress.Phase;
                phaseStarted = now;
            }

            lastReport = now;
        }
    }

    /// <summary>The attempt ended: the phase in progress ends with it.</summary>
    public void Complete()
    {
        lock (gate)
        {
            EndPhase(time.GetTimestamp());
            phase = null;
        }
    }

    private void EndPhase(long now)
    {
        if (phase is not null)
        {
            metrics.TrialPhaseCompleted(trial, phase, device, time.GetElapsedTime(phaseStarted, now));
        }
    }
}
