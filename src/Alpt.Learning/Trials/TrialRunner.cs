using System.Diagnostics;
using Alpt.Environments.Core;
using Alpt.Environments.Datasets;
using Alpt.Learning.Data;
using Alpt.Learning.Evaluation;
using Alpt.Learning.Labelling;
using Alpt.Learning.Models;
using Alpt.Learning.Runtime;
using Alpt.Learning.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Alpt.Learning.Trials;

/// <summary>Where a trial may save its trained models (null: nowhere).</summary>
public sealed record CheckpointPaths(string? Idm = null, string? Policy = null);

/// <summary>
/// Runs one trial: datasets → annotation split → (IDM training → labelling) → policy training →
/// online evaluation. Synchronous, on the calling thread (give it a dedicated one): dispose scopes
/// and the intra-op thread count are per thread. Deterministic on CPU for a given spec and thread
/// count: model initialisation is seeded under a process-wide lock (Torch's generator is global),
/// and every other random choice uses generators seeded from the spec.
/// </summary>
public static class TrialRunner
{
    private static readonly Lock SeedLock = new();

    public static TrialResult Run(
        TrialSpec spec,
        IDatasetSource datasets,
        Device device,
        IProgress<TrialProgress>? progress,
        CancellationToken cancellationToken,
        ITrialEnvironment? environment = null,
        int? threads = null,
        CheckpointPaths? saveTo = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(datasets);
        ArgumentNullException.ThrowIfNull(device);
        spec.Validate();
        environment ??= ArcadeEnvironment.Instance;
        TorchRuntime.PrepareForTraining();
        if (threads is { } count)
        {
            TorchRuntime.SetThreads(count);
        }

        var hp = spec.Hyperparameters;
        var total = Stopwatch.StartNew();
        var phases = new Dictionary<string, double>();
        var curves = new List<TrainingCurve>();

        // Datasets: the target first, then the sources in the order given.
        var clock = Stopwatch.StartNew();
        progress?.Report(new TrialProgress(TrialPhases.Datasets, 0, 1 + spec.Sources.Count, double.NaN, double.NaN));
        var datasetSeed = hp.Data.DatasetSeedFor(spec.Seed);
        var target = datasets.Get(environment.DatasetSpec(spec.Target, hp.Data.TargetTransitions, datasetSeed, hp.Data.Scale, hp.Data.Experts), cancellationToken);
        var sources = new List<TrajectoryDataset>();
        foreach (var source in spec.Sources)
        {
            cancellationToken.ThrowIfCancellationRequested();
            sources.Add(datasets.Get(environment.DatasetSpec(source, hp.Data.SourceTransitions, datasetSeed, hp.Data.Scale, hp.Data.Experts), cancellationToken));
            progress?.Report(new TrialProgress(TrialPhases.Datasets, 1 + sources.Count, 1 + spec.Sources.Count, double.NaN, double.NaN));
        }

        phases[TrialPhases.Datasets] = clock.Elapsed.TotalSeconds;
        var budget = spec.Budget;
        if (spec.Method != TrialMethod.Oracle && budget >= target.TransitionCount)
        {
            throw new ArgumentException($"Budget {budget} must be below the target dataset's {target.TransitionCount} transitions.");
        }

        // The oracle sees every true label, so it has no split.
        var split = spec.Method == TrialMethod.Oracle ? null : AnnotationSplit.Create(target, budget, hp.Data.SegmentLength, (ulong)DeriveSeed(spec.Seed, 1));
        using var store = new FrameStore([target, .. sources], device);

        // Labels the policy learns from, and where.
        LabelAccuracy? accuracy = null;
        IReadOnlyList<TransitionRun> runs = WholeEpisodes(target);
        var labels = (byte[])target.Actions.Clone();
        if (spec.Method == TrialMethod.LabelledOnly)
        {
            runs = [.. split!.Segments.Select(s => new TransitionRun(s.Start, s.Start + s.Length))];
        }
        else if (spec.Method.UsesIdm())
        {
            var predicted = TrainIdmAndLabel(spec, environment, target, sources, split!, store, device, phases, curves, progress, cancellationToken, saveTo?.Idm);
            accuracy = IdmLabeller.Score(predicted, [.. split!.HiddenActions]);
            for (var i = 0; i < predicted.Length; i++)
            {
                labels[split.UnlabelledTransitions[i]] = predicted[i];
            }
        }

        // Policy.
        clock.Restart();
        var examples = new PolicyExampleSet(target, 0, runs, labels);
        var sampler = new PolicyBatchSampler(store, examples, DeriveSeed(spec.Seed, 3));
        var policySettings = new OptimizerSettings(hp.Policy.Steps, hp.Policy.BatchSize, hp.Policy.LearningRate, hp.Policy.WeightDecay, hp.Policy.WarmupFraction, FinalRateFraction: hp.Policy.FinalRateFraction);
        using var policy = CreateSeeded(spec.Seed, 4, () => hp.Policy.Kind == PolicyKind.DecisionTransformer
            ? (nn.Module)new DecisionTransformer(target.Shape, hp.Policy)
            : new BehaviourCloningPolicy(target.Shape, hp.Policy));
        policy.to(device);
        var evaluated = spec.EvaluationTarget;
        var targetReturn = examples.BestReturn * hp.Evaluation.TargetReturnFactor;
        var maxSteps = Math.Min(hp.Evaluation.MaxSteps, environment.MaxEpisodeSteps(evaluated));
        var reference = environment.ReferenceReturns(evaluated);
        double[] Evaluate(int episodes, int seed, IProgress<TrialProgress>? report) => PolicyEvaluator.Play(
            policy, () => environment.CreateGame(evaluated), episodes, maxSteps, targetReturn, examples.ReturnScale,
            hp.Evaluation.Temperature, seed, device, report, cancellationToken);

        // Evaluations while training (their own episodes, fewer of them), timed apart from training.
        var checkpoints = new List<PolicyCheckpoint>();
        var checkSeconds = 0.0;
        var checkCpu = 0.0;
        var cpuAtStart = ThreadCpuClock.Seconds();
        TrainingCheck? check = null;
        if (hp.Evaluation.DuringTraining > 0 && hp.Policy.Steps > hp.Evaluation.DuringTraining)
        {
            check = new TrainingCheck(Math.Max(1, hp.Policy.Steps / (hp.Evaluation.DuringTraining + 1)), step =>
            {
                var started = clock.Elapsed.TotalSeconds;
                var cpu = ThreadCpuClock.Seconds();
                var played = Evaluate(hp.Evaluation.DuringTrainingEpisodes, DeriveSeed(spec.Seed, 8), null);
                var mean = played.Average();
                checkpoints.Add(new PolicyCheckpoint(step, started - checkSeconds, cpu - cpuAtStart - checkCpu, played.Length, mean, reference.Normalize(mean)));
                checkSeconds += clock.Elapsed.TotalSeconds - started;
                checkCpu += ThreadCpuClock.Seconds() - cpu;
            });
        }

        curves.Add(policy is DecisionTransformer dt
            ? PolicyTrainer.TrainDecisionTransformer(dt, sampler, policySettings, progress, cancellationToken, check)
            : PolicyTrainer.TrainBehaviourCloning((BehaviourCloningPolicy)policy, sampler, policySettings, progress, cancellationToken, check));
        var trainingSeconds = clock.Elapsed.TotalSeconds - checkSeconds;
        var trainingCpu = ThreadCpuClock.Seconds() - cpuAtStart - checkCpu;
        phases[TrialPhases.PolicyTraining] = clock.Elapsed.TotalSeconds;
        if (saveTo?.Policy is { } policyPath)
        {
            Checkpoints.Checkpoint.Save(policy, policyPath);
        }

        // Online evaluation in the target game (or another variant of it).
        clock.Restart();
        var returns = Evaluate(hp.Evaluation.Episodes, DeriveSeed(spec.Seed, 5), progress);
        var mean = returns.Average();
        var std = Math.Sqrt(returns.Select(r => (r - mean) * (r - mean)).Sum() / Math.Max(1, returns.Length - 1));
        phases[TrialPhases.Evaluation] = clock.Elapsed.TotalSeconds;
        if (check is not null)
        {
            checkpoints.Add(new PolicyCheckpoint(hp.Policy.Steps, trainingSeconds, trainingCpu, returns.Length, mean, reference.Normalize(mean)));
        }

        return new TrialResult(
            spec,
            split?.LabelledTransitions.Count ?? target.TransitionCount,
            split?.UnlabelledTransitions.Count ?? 0,
            accuracy,
            new EvaluationOutcome(evaluated.Game, evaluated.Variant, returns.Length, targetReturn, mean, std, reference.Normalize(mean), reference.Random, reference.Expert, returns),
            phases,
            curves,
            device.ToString(),
            get_num_threads(),
            total.Elapsed.TotalSeconds,
            check is null ? null : checkpoints);
    }

    /// <summary>The IDM phases: joint training, optional fine-tuning on the target slice, labelling the rest.</summary>
    private static byte[] TrainIdmAndLabel(
        TrialSpec spec,
        ITrialEnvironment environment,
        TrajectoryDataset target,
        List<TrajectoryDataset> sources,
        AnnotationSplit split,
        FrameStore store,
        Device device,
        Dictionary<string, double> phases,
        List<TrainingCurve> curves,
        IProgress<TrialProgress>? progress,
        CancellationToken cancellationToken,
        string? checkpoint)
    {
        var hp = spec.Hyperparameters.Idm;
        var clock = Stopwatch.StartNew();
        // Shared actions: one head for all. Disjoint: a head per game, so sources share no action ids with the target.
        // Each set knows its game's minimal actions: the IDM neither learns nor labels any other.
        var targetSlice = new IdmExampleSet(spec.Target.ToString(), target, 0, [.. split.LabelledTransitions], 0, environment.CreateGame(spec.Target).MinimalActions);
        var sets = new List<IdmExampleSet> { targetSlice };
        for (var i = 0; i < sources.Count; i++)
        {
            sets.Add(new IdmExampleSet(spec.Sources[i].ToString(), sources[i], i + 1, [.. Enumerable.Range(0, sources[i].TransitionCount)], spec.DisjointActions ? i + 1 : 0, environment.CreateGame(spec.Sources[i]).MinimalActions));
        }

        var vocabularies = spec.DisjointActions ? 1 + sources.Count : 1;
        using var model = CreateSeeded(spec.Seed, 2, () => new InverseDynamicsModel(target.Shape, hp, vocabularies));
        model.to(device);
        var sampler = new IdmBatchSampler(store, sets, hp.BalanceEnvironments, hp.WindowEachSide, DeriveSeed(spec.Seed, 6));
        curves.Add(IdmTrainer.Train(model, sampler, TrialPhases.IdmTraining, new OptimizerSettings(hp.Steps, hp.BatchSize, hp.LearningRate, hp.WeightDecay), progress, cancellationToken));
        phases[TrialPhases.IdmTraining] = clock.Elapsed.TotalSeconds;

        if (hp.FineTuneSteps > 0)
        {
            clock.Restart();
            var fineTune = new IdmBatchSampler(store, [targetSlice], true, hp.WindowEachSide, DeriveSeed(spec.Seed, 7));
            curves.Add(IdmTrainer.Train(model, fineTune, TrialPhases.IdmFineTuning, new OptimizerSettings(hp.FineTuneSteps, hp.BatchSize, hp.FineTuneLearningRate, hp.WeightDecay), progress, cancellationToken));
            phases[TrialPhases.IdmFineTuning] = clock.Elapsed.TotalSeconds;
        }

        if (checkpoint is not null)
        {
            Checkpoints.Checkpoint.Save(model, checkpoint);
        }

        clock.Restart();
        var unlabelled = targetSlice with { Transitions = [.. split.UnlabelledTransitions] };
        var predicted = IdmLabeller.Label(model, store, unlabelled, hp.WindowEachSide, hp.LabelBatchSize, progress, cancellationToken);
        phases[TrialPhases.Labelling] = clock.Elapsed.TotalSeconds;
        return predicted;
    }

    private static List<TransitionRun> WholeEpisodes(TrajectoryDataset dataset) =>
        [.. Enumerable.Range(0, dataset.EpisodeCount).Select(e => new TransitionRun(dataset.EpisodeStarts[e], dataset.EpisodeStarts[e + 1]))];

    /// <summary>Builds a model with Torch's global generator seeded from (trial seed, purpose), one trial at a time.</summary>
    private static T CreateSeeded<T>(int seed, int purpose, Func<T> create)
    {
        lock (SeedLock)
        {
            torch.manual_seed(DeriveSeed(seed, purpose));
            return create();
        }
    }

    /// <summary>A distinct, stable seed per (trial seed, purpose), so phases never share random streams.</summary>
    internal static int DeriveSeed(int seed, int purpose)
    {
        var x = unchecked(((ulong)(uint)seed * 0x9E3779B97F4A7C15UL) + ((ulong)purpose * 0xBF58476D1CE4E5B9UL));
        x ^= x >> 31;
        x *= 0x94D049BB133111EBUL;
        x ^= x >> 29;
        return (int)(x & 0x7FFF_FFFF);
    }
}
