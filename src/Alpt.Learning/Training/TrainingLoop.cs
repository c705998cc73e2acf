using System.Diagnostics;
using Alpt.Learning.Trials;
using TorchSharp;
using static TorchSharp.torch;

namespace Alpt.Learning.Training;

/// <summary>Settings shared by every training loop.</summary>
/// <param name="WarmupFraction">Share of steps with a linearly rising learning rate; cosine decay to 10% after it.</param>
public sealed record OptimizerSettings(int Steps, int BatchSize, double LearningRate, double WeightDecay, double WarmupFraction = 0.05, double ClipNorm = 1.0);

/// <summary>
/// The one loop every trainer runs: AdamW with warmup and cosine decay, gradient clipping, a dispose
/// scope per step, a cancellation check per step, progress reports (loss, samples/s) a few times a
/// second, and a downsampled loss curve. Runs on the calling thread, synchronously: dispose scopes
/// and the intra-op thread setting are per thread.
/// </summary>
public static class TrainingLoop
{
    /// <summary>Points kept in a downsampled curve.</summary>
    public const int CurvePoints = 100;

    /// <param name="lossOfNextBatch">Samples a batch and returns its loss (a scalar that requires grad).</param>
    public static TrainingCurve Run(
        string phase,
        nn.Module model,
        OptimizerSettings settings,
        Func<Tensor> lossOfNextBatch,
        IProgress<TrialProgress>? progress,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(lossOfNextBatch);
        model.train();
        var parameters = model.parameters().ToList();
        using var optimizer = optim.AdamW(parameters, settings.LearningRate, weight_decay: settings.WeightDecay);
        var warmup = Math.Max(1, (int)(settings.Steps * settings.WarmupFraction));
        var every = Math.Max(1, settings.Steps / CurvePoints);
        var steps = new List<int>();
        var losses = new List<double>();
        double curveSum = 0, reportSum = 0;
        int curveCount = 0, reportCount = 0, reportFrom = 0;
        var clock = Stopwatch.StartNew();
        var lastReport = TimeSpan.Zero;

        for (var step = 0; step < settings.Steps; step++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            var rate = step < warmup
                ? settings.LearningRate * (step + 1) / warmup
                : settings.LearningRate * (0.1 + (0.9 * 0.5 * (1 + Math.Cos(Math.PI * (step - warmup) / Math.Max(1, settings.Steps - warmup)))));
            foreach (var group in optimizer.ParamGroups)
            {
                group.LearningRate = rate;
            }

            optimizer.zero_grad();
            var loss = lossOfNextBatch();
            loss.backward();
            nn.utils.clip_grad_norm_(parameters, settings.ClipNorm);
            optimizer.step();
            var value = loss.item<float>();
            if (!float.IsFinite(value))
            {
                throw new InvalidOperationException($"Training diverged in phase '{phase}' at step {step}: loss is {value}.");
            }

            curveSum += value;
            curveCount++;
            reportSum += value;
            reportCount++;
            if (curveCount == every || step == settings.Steps - 1)
            {
                steps.Add(step + 1);
                losses.Add(curveSum / curveCount);
                curveSum = 0;
                curveCount = 0;
            }

            var now = clock.Elapsed;
            if (progress is not null && ((now - lastReport).TotalSeconds >= 0.25 || step == settings.Steps - 1))
            {
                var seconds = Math.Max(1e-9, (now - lastReport).TotalSeconds);
                progress.Report(new TrialProgress(phase, step + 1, settings.Steps, reportSum / reportCount, (step + 1 - reportFrom) * settings.BatchSize / seconds));
                lastReport = now;
                reportFrom = step + 1;
                reportSum = 0;
                reportCount = 0;
            }
        }

        model.eval();
        return new TrainingCurve(phase, steps, losses);
    }
}
