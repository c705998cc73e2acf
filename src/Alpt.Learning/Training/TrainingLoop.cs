using System.Diagnostics;
using Alpt.Learning.Trials;
using TorchSharp;
using static TorchSharp.torch;

namespace Alpt.Learning.Training;

/// <summary>Settings shared by every training loop.</summary>
/// <param name="WarmupFraction">Share of steps with a linearly rising learning rate; cosine decay to <paramref name="FinalRateFraction"/> after it.</param>
/// <param name="FinalRateFraction">The learning rate at the last step, as a share of <paramref name="LearningRate"/>.</param>
public sealed record OptimizerSettings(
    int Steps,
    int BatchSize,
    double LearningRate,
    double WeightDecay,
    double WarmupFraction = 0.05,
    double ClipNorm = 1.0,
    double FinalRateFraction = 0.1)
{
    /// <summary>The learning rate of step <paramref name="step"/> (0-based): linear warmup, then cosine decay.</summary>
    public double RateAt(int step)
    {
        var warmup = Math.Max(1, (int)(Steps * WarmupFraction));
        if (step < warmup)
        {
            return LearningRate * (step + 1) / warmup;
        }

        var progress = (double)(step - warmup) / Math.Max(1, Steps - warmup);
        return LearningRate * (FinalRateFraction + ((1 - FinalRateFraction) * 0.5 * (1 + Math.Cos(Math.PI * progress))));
    }
}

/// <summary>Something measured on the model every <paramref name="Every"/> steps while it trains (e.g. the
/// return of a few evaluation episodes); the model is in eval mode during the call, then trains on.</summary>
public sealed record TrainingCheck(int Every, Action<int> Measure);

/// <summary>
/// The one loop every trainer runs: AdamW with warmup and cosine decay, gradient clipping, a dispose
/// scope per step, a cancellation check per step, progress reports (loss, samples/s) a few times a
/// second, and a downsampled loss curve. Runs on the calling thread, synchronously: dispose scopes
/// and the intra-op thread setting are per thread.
/// <para>Losses are summed on the model's device and read back only at curve points and progress
/// reports (at most <see cref="CurvePoints"/> plus a few a second): reading a loss every step would
/// make a GPU wait for each step before the next one is queued. Sums are float64, in step order, so
/// the curve is the same as summing each step's value on the host.</para>
/// </summary>
public static class TrainingLoop
{
    /// <summary>Points kept in a downsampled curve.</summary>
    public const int CurvePoints = 100;

    /// <param name="lossOfNextBatch">Samples a batch and returns its loss (a scalar that requires grad).</param>
    /// <param name="check">Optional measurement while training (null: none).</param>
    public static TrainingCurve Run(
        string phase,
        nn.Module model,
        OptimizerSettings settings,
        Func<Tensor> lossOfNextBatch,
        IProgress<TrialProgress>? progress,
        CancellationToken cancellationToken,
        TrainingCheck? check = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(lossOfNextBatch);
        model.train();
        var parameters = model.parameters().ToList();
        var device = parameters.Count > 0 ? parameters[0].device : CPU;
        using var optimizer = optim.AdamW(parameters, settings.LearningRate, weight_decay: settings.WeightDecay);
        var every = Math.Max(1, settings.Steps / CurvePoints);
        var steps = new List<int>();
        var losses = new List<double>();
        using var curveSum = zeros(1, ScalarType.Float64, device);
        using var reportSum = zeros(1, ScalarType.Float64, device);
        int curveCount = 0, reportCount = 0, reportFrom = 0;
        var clock = Stopwatch.StartNew();
        var lastReport = TimeSpan.Zero;

        for (var step = 0; step < settings.Steps; step++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using (var scope = NewDisposeScope())
            {
                var rate = settings.RateAt(step);
                foreach (var group in optimizer.ParamGroups)
                {
                    group.LearningRate = rate;
                }

                optimizer.zero_grad();
                var loss = lossOfNextBatch();
                loss.backward();
                nn.utils.clip_grad_norm_(parameters, settings.ClipNorm);
                optimizer.step();
                var value = loss.detach().to(ScalarType.Float32).to(ScalarType.Float64).view(1);
                curveSum.add_(value);
                if (progress is not null)
                {
                    reportSum.add_(value);
                }
            }

            curveCount++;
            reportCount++;
            if (curveCount == every || step == settings.Steps - 1)
            {
                steps.Add(step + 1);
                losses.Add(Read(curveSum, phase, step + 1 - curveCount, step) / curveCount);
                curveCount = 0;
            }

            var now = clock.Elapsed;
            if (progress is not null && ((now - lastReport).TotalSeconds >= 0.25 || step == settings.Steps - 1))
            {
                var seconds = Math.Max(1e-9, (now - lastReport).TotalSeconds);
                progress.Report(new TrialProgress(phase, step + 1, settings.Steps, Read(reportSum, phase, reportFrom, step) / reportCount, (step + 1 - reportFrom) * settings.BatchSize / seconds));
                lastReport = now;
                reportFrom = step + 1;
                reportCount = 0;
            }

            if (check is not null && (step + 1) % check.Every == 0 && step + 1 < settings.Steps)
            {
                model.eval();
                check.Measure(step + 1);
                model.train();
            }
        }

        model.eval();
        return new TrainingCurve(phase, steps, losses);
    }

    /// <summary>Reads a device-side sum back (one sync), resets it, and fails if training diverged in steps [from, to].</summary>
    private static double Read(Tensor sum, string phase, int from, int to)
    {
        var value = sum.item<double>();
        sum.zero_();
        if (!double.IsFinite(value))
        {
            throw new InvalidOperationException($"Training diverged in phase '{phase}' between steps {from} and {to}: loss is {value}.");
        }

        return value;
    }
}
