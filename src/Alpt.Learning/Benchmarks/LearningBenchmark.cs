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
/// <param name="CpuSeconds">CPU time of the benchmark thread over the timed steps (all of it at one Torch thread):
/// on a busy machine, samples per CPU-second compare where wall-clock figures cannot.</param>
public sealed record BenchmarkFigure(string Workload, int BatchSize, int Steps, double Seconds, double SamplesPerSecond, double GflopsPerSecond, double FractionOfPeak, double CpuSeconds)
{
    public double SamplesPerCpuSecond => BatchSize * (double)Steps / Math.Max(1e-9, CpuSeconds);
}

/// <summary>How fast one policy configuration turns training into play: an oracle trial whose policy is evaluated
/// while it trains (normalized return against training seconds and CPU seconds).</summary>
public sealed record SkillCurve(string Name, string Target, IReadOnlyList<PolicyCheckpoint> Checkpoints, double TrialSeconds)
{
    /// <summary>Normalized return at the end of training per CPU-second of policy training.</summary>
    public double SkillPerCpuSecond => Checkpoints[^1].NormalizedScore / Math.Max(1e-9, Checkpoints[^1].CpuSeconds);
}

public sealed record LearningBenchmarkResult(string Device, int Threads, int MatmulSize, double PeakGflopsPerSecond, IReadOnlyList<BenchmarkFigure> Figures, string Preset = "paper");

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

    /// <param name="hp">Whose model sizes and batch sizes to measure (the paper preset by default).</param>
    /// <param name="name">What to call those hyperparameters in the result.</param>
    public static LearningBenchmarkResult Run(Device device, TrialHyperparameters? hp = null, int steps = 20, Action<string>? log = null, CancellationToken cancellationToken = default, string name = "paper")
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        hp ??= TrialHyperparameters.Paper;
        TorchRuntime.PrepareForTraining();
        torch.manual_seed(1);
        var shape = new ObservationShape(3, 10, 10);
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
            var seconds = Measure(device, steps, cancellationToken, () =>
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
                seconds = Measure(device, steps, cancellationToken, () => idm.forward(labelFrames, labelHeads).argmax(1).cpu(), WarmupSeconds);
            }

            figures.Add(Figure("labelling", labelBatch, steps, seconds, 2.0 * idm.MacsPerSample(), peak));
            log?.Invoke(Describe(figures[^1]));
        }

        // The Decision Transformer as in the paper (three tokens per step) and with one token per step.
        foreach (var tokens in new[] { 3, 1 })
        {
            using var dt = new DecisionTransformer(shape, hp.Policy with { TokensPerStep = tokens });
            dt.to(device);
            var batch = hp.Policy.BatchSize;
            var k = hp.Policy.Context;
            var rtg = rand([batch, k], device: device);
            var frames = rand([batch, k, 3, 10, 10], device: device);
            var actions = randint(0, ActionVocabulary.Size, [batch, k], ScalarType.Int64, device);
            var valid = ones([batch, k], ScalarType.Bool, device);
            using var optimizer = optim.AdamW(dt.parameters(), 1e-3);
            var seconds = Measure(device, steps, cancellationToken, () =>
            {
                optimizer.zero_grad();
                var logits = dt.forward(rtg, frames, actions, valid);
                nn.functional.cross_entropy(logits.flatten(0, 1), actions.flatten()).backward();
                optimizer.step();
            }, WarmupSeconds);
            // A sample is one context window of K steps.
            figures.Add(Figure(tokens == 3 ? "dt-training" : "dt-training-1token", batch, steps, seconds, 3.0 * 2 * dt.MacsPerSequence(), peak));
            log?.Invoke(Describe(figures[^1]));
        }

        return new LearningBenchmarkResult(device.ToString(), get_num_threads(), n, peak, figures, name);
    }

    /// <summary>
    /// The quick preset's policy as it was before it was re-sized for play (three tokens per step, 400 steps × 32 at
    /// 1e-3, actions sampled at temperature 1): the baseline the skill figures are compared against.
    /// </summary>
    public static TrialHyperparameters QuickBefore { get; } = TrialHyperparameters.Quick with
    {
        Policy = TrialHyperparameters.Quick.Policy with { TokensPerStep = 3, Steps = 400, BatchSize = 32, LearningRate = 1e-3 },
        Evaluation = TrialHyperparameters.Quick.Evaluation with { Temperature = 1.0 },
    };

    /// <summary>
    /// Skill per second: oracle trials (every true label) of <paramref name="target"/> with each configuration, the
    /// policy evaluated <paramref name="checks"/> times while it trains, in this process, one after the other.
    /// </summary>
    public static IReadOnlyList<SkillCurve> Skill(
        string target, IReadOnlyList<(string Name, TrialHyperparameters Hyperparameters)> configurations, Device device,
        int seed = 1, int checks = 4, Action<string>? log = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(configurations);
        var datasets = new GeneratedDatasets();
        var curves = new List<SkillCurve>();
        foreach (var (name, hp) in configurations)
        {
            var spec = new TrialSpec(GameRef.Parse(target), [], 1, TrialMethod.Oracle, seed, hp with { Evaluation = hp.Evaluation with { DuringTraining = checks } });
            var result = TrialRunner.Run(spec, datasets, device, null, cancellationToken);
            var curve = new SkillCurve(name, target, result.PolicyCheckpoints ?? [], result.TotalSeconds);
            curves.Add(curve);
            log?.Invoke($"skill {name} on {target}: " + string.Join("  ", curve.Checkpoints.Select(c => $"step {c.Step} ({c.CpuSeconds:F0} CPU-s) {c.NormalizedScore:F2}")));
        }

        return curves;
    }

    public static string Describe(BenchmarkFigure f) =>
        $"{f.Workload}: {f.SamplesPerSecond:F0} samples/s ({f.SamplesPerCpuSecond:F0} per CPU-second), {f.GflopsPerSecond:F1} GFLOP/s ({f.FractionOfPeak:P0} of peak)";

    private static double Matmul(int n, Device device, CancellationToken cancellationToken)
    {
        using var scope = NewDisposeScope();
        var a = rand([n, n], device: device);
        var b = rand([n, n], device: device);
        var (seconds, _) = Measure(device, 5, cancellationToken, () => matmul(a, b).sum().item<float>());
        return 2.0 * n * n * n * 5 / seconds / 1e9;
    }

    /// <summary>
    /// Seconds for <paramref name="steps"/> runs of <paramref name="work"/>, after at least two warm-up
    /// runs and at least <paramref name="warmupSeconds"/> of them. The device is synchronized before the
    /// clock starts and before it stops: on a GPU, work is queued, and a clock read without waiting for it
    /// would time the queueing.
    /// </summary>
    private static (double Seconds, double CpuSeconds) Measure(Device device, int steps, CancellationToken cancellationToken, Action work, double warmupSeconds = 0)
    {
        var warmup = Stopwatch.StartNew();
        for (var i = 0; i < 2 || warmup.Elapsed.TotalSeconds < warmupSeconds; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var warm = NewDisposeScope();
            work();
        }

        TorchRuntime.Synchronize(device);
        var cpu = ThreadCpuClock.Seconds();
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < steps; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            work();
        }

        TorchRuntime.Synchronize(device);
        return (clock.Elapsed.TotalSeconds, ThreadCpuClock.Seconds() - cpu);
    }

    private static BenchmarkFigure Figure(string workload, int batch, int steps, (double Seconds, double CpuSeconds) time, double flopsPerSample, double peak)
    {
        var samples = batch * (double)steps / time.Seconds;
        var gflops = samples * flopsPerSample / 1e9;
        return new BenchmarkFigure(workload, batch, steps, time.Seconds, samples, gflops, gflops / peak, time.CpuSeconds);
    }
}
