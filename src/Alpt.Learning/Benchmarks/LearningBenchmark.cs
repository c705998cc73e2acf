using System.Diagnostics;
using Alpt.Environments.Core;
using Alpt.Learning.Models;
using Alpt.Learning.Runtime;
using Alpt.Learning.Trials;
using TorchSharp;
using static TorchSharp.torch;

namespace Alpt.Learning.Benchmarks;

/// <summary>One measured workload: throughput and achieved arithmetic rate (analytic FLOP counts).</summary>
/// <param name="FractionOfPeak">Achieved GFLOP/s over the large matrix multiply's, measured in the same run.</param>
public sealed record BenchmarkFigure(string Workload, int BatchSize, int Steps, double Seconds, double SamplesPerSecond, double GflopsPerSecond, double FractionOfPeak);

public sealed record LearningBenchmarkResult(string Device, int Threads, int MatmulSize, double PeakGflopsPerSecond, IReadOnlyList<BenchmarkFigure> Figures);

/// <summary>
/// Measures IDM training, labelling and Decision Transformer training with the default (paper) model
/// sizes on random frames, against a large float32 matrix multiply as the achievable peak.
/// Training FLOPs are counted as 3× the forward pass (forward, and backward for activations and weights).
/// </summary>
public static class LearningBenchmark
{
    /// <summary>
    /// Warm-up before a workload is timed. A trial trains for thousands of steps; the first few dozen
    /// also carry .NET's tiered re-compilation of the training code, on a background thread that takes
    /// one of the cores the step needs (20–30 ms spikes in a 50 ms IDM step on 2 cores), so two
    /// warm-up steps measured start-up, not training.
    /// </summary>
    private const double WarmupSeconds = 3;

    public static LearningBenchmarkResult Run(Device device, int steps = 20, Action<string>? log = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        TorchRuntime.PrepareForTraining();
        torch.manual_seed(1);
        var shape = new ObservationShape(3, 10, 10);
        var hp = TrialHyperparameters.Paper;
        const int n = 2048;
        var peak = Matmul(n, device, cancellationToken);
        log?.Invoke($"matmul {n}×{n}: {peak:F1} GFLOP/s");
        var figures = new List<BenchmarkFigure>();

        using (var idm = new InverseDynamicsModel(shape, hp.Idm, 1))
        {
            idm.to(device);
            var batch = hp.Idm.BatchSize;
            var frames = rand([batch, idm.WindowFrames, 3, 10, 10], device: device);
            var heads = zeros(batch, ScalarType.Int64, device);
            var actions = randint(0, ActionVocabulary.Size, [batch], ScalarType.Int64, device);
            using var optimizer = optim.AdamW(idm.parameters(), 1e-3);
            var seconds = Measure(steps, cancellationToken, () =>
            {
                optimizer.zero_grad();
                nn.functional.cross_entropy(idm.forward(frames, heads), actions).backward();
                optimizer.step();
            }, WarmupSeconds);
            figures.Add(Figure("idm-training", batch, steps, seconds, 3.0 * 2 * idm.MacsPerSample(), peak));
            log?.Invoke(Describe(figures[^1]));

            idm.eval();
            var labelBatch = hp.Idm.LabelBatchSize;
            var labelFrames = rand([labelBatch, idm.WindowFrames, 3, 10, 10], device: device);
            var labelHeads = zeros(labelBatch, ScalarType.Int64, device);
            using (no_grad())
            {
                seconds = Measure(steps, cancellationToken, () => idm.forward(labelFrames, labelHeads).argmax(1).cpu(), WarmupSeconds);
            }

            figures.Add(Figure("labelling", labelBatch, steps, seconds, 2.0 * idm.MacsPerSample(), peak));
            log?.Invoke(Describe(figures[^1]));
        }

        using (var dt = new DecisionTransformer(shape, hp.Policy))
        {
            dt.to(device);
            var batch = hp.Policy.BatchSize;
            var k = hp.Policy.Context;
            var rtg = rand([batch, k], device: device);
            var frames = rand([batch, k, 3, 10, 10], device: device);
            var actions = randint(0, ActionVocabulary.Size, [batch, k], ScalarType.Int64, device);
            var valid = ones([batch, k], ScalarType.Bool, device);
            using var optimizer = optim.AdamW(dt.parameters(), 1e-3);
            var seconds = Measure(steps, cancellationToken, () =>
            {
                optimizer.zero_grad();
                var logits = dt.forward(rtg, frames, actions, valid);
                nn.functional.cross_entropy(logits.flatten(0, 1), actions.flatten()).backward();
                optimizer.step();
            }, WarmupSeconds);
            // A sample is one context window of K steps.
            figures.Add(Figure("dt-training", batch, steps, seconds, 3.0 * 2 * dt.MacsPerSequence(), peak));
            log?.Invoke(Describe(figures[^1]));
        }

        return new LearningBenchmarkResult(device.ToString(), get_num_threads(), n, peak, figures);
    }

    public static string Describe(BenchmarkFigure f) =>
        $"{f.Workload}: {f.SamplesPerSecond:F0} samples/s, {f.GflopsPerSecond:F1} GFLOP/s ({f.FractionOfPeak:P0} of peak)";

    private static double Matmul(int n, Device device, CancellationToken cancellationToken)
    {
        using var scope = NewDisposeScope();
        var a = rand([n, n], device: device);
        var b = rand([n, n], device: device);
        var seconds = Measure(5, cancellationToken, () => matmul(a, b).sum().item<float>());
        return 2.0 * n * n * n * 5 / seconds / 1e9;
    }

    /// <summary>
    /// Seconds for <paramref name="steps"/> runs of <paramref name="work"/>, after at least two warm-up
    /// runs and at least <paramref name="warmupSeconds"/> of them.
    /// </summary>
    private static double Measure(int steps, CancellationToken cancellationToken, Action work, double warmupSeconds = 0)
    {
        var warmup = Stopwatch.StartNew();
        for (var i = 0; i < 2 || warmup.Elapsed.TotalSeconds < warmupSeconds; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var warm = NewDisposeScope();
            work();
        }

        var clock = Stopwatch.StartNew();
        for (var i = 0; i < steps; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            work();
        }

        return clock.Elapsed.TotalSeconds;
    }

    private static BenchmarkFigure Figure(string workload, int batch, int steps, double seconds, double flopsPerSample, double peak)
    {
        var samples = batch * (double)steps / seconds;
        var gflops = samples * flopsPerSample / 1e9;
        return new BenchmarkFigure(workload, batch, steps, seconds, samples, gflops, gflops / peak);
    }
}
