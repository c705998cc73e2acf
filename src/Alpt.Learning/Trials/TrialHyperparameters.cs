using System.Text.Json.Serialization;

namespace Alpt.Learning.Trials;

/// <summary>Which policy model a trial trains.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<PolicyKind>))]
public enum PolicyKind
{
    [JsonStringEnumMemberName("dt")]
    DecisionTransformer,

    [JsonStringEnumMemberName("bc")]
    BehaviourCloning,
}

/// <summary>How the trial's datasets are generated.</summary>
/// <param name="TargetTransitions">Size of the target dataset (labelled and unlabelled together). The paper-sized default,
/// 250,000, makes the paper's 12 minutes of play (10,800 transitions at 15 per second) 4.3% of it, a small share as in
/// the paper's large target datasets.</param>
/// <param name="SourceTransitions">Size of each source dataset (fully labelled).</param>
/// <param name="DatasetSeed">Seed of dataset generation; by default fixed across trial seeds, so seeds share datasets.</param>
/// <param name="Scale">Integer upscale of the 10×10 frames.</param>
/// <param name="SegmentLength">Length of the labelled trajectory segments the annotation budget is spent on.</param>
/// <param name="Experts">What the datasets' scripted experts see: <c>Observed</c> (only what the game has shown, the
/// default) or <c>Clairvoyant</c> (also its real future randomness; normalized scores stay against the observed expert).</param>
/// <param name="DatasetPerSeed">Draw the datasets anew for every trial seed (their seed derived from
/// <paramref name="DatasetSeed"/> and the trial seed), so intervals over seeds include dataset variance. Methods
/// run with the same trial seed still share their datasets, so comparisons stay paired.</param>
public sealed record DataHyperparameters(
    int TargetTransitions = 250_000,
    int SourceTransitions = 50_000,
    ulong DatasetSeed = 1,
    int Scale = 1,
    int SegmentLength = 50,
    Alpt.Environments.Core.ExpertSight Experts = Alpt.Environments.Core.ExpertSight.Observed,
    bool DatasetPerSeed = false)
{
    /// <summary>The dataset seed a trial with <paramref name="trialSeed"/> generates (or reuses) its datasets with.</summary>
    public ulong DatasetSeedFor(int trialSeed)
    {
        if (!DatasetPerSeed)
        {
            return DatasetSeed;
        }

        // SplitMix64 of (dataset seed, trial seed), kept to 31 bits: the grid keys its dataset artifacts by an int seed.
        var x = unchecked(DatasetSeed + (0x9E3779B97F4A7C15UL * ((ulong)(uint)trialSeed + 1)));
        x = unchecked((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL);
        x = unchecked((x ^ (x >> 27)) * 0x94D049BB133111EBUL);
        return (x ^ (x >> 31)) & 0x7FFF_FFFFUL;
    }
}

/// <param name="WindowEachSide">Frames of context on each side of the transition's two frames.</param>
/// <param name="BalanceEnvironments">Sample each environment (sources and the labelled target slice) equally; false: in proportion to size.</param>
/// <param name="FineTuneSteps">Extra steps on the labelled target slice alone after joint training.</param>
/// <param name="LabelBatchSize">Transitions per labelling forward pass: inference only, no effect on the labels. On CPU,
/// 256 keeps a batch's convolution activations in cache; 1024 ran at under half the speed per transition.</param>
/// <param name="MotionChannels">Feed each frame with its difference to the next one (see <c>InverseDynamicsModel</c>).</param>
public sealed record IdmHyperparameters(
    int WindowEachSide = 2,
    int ConvChannels = 32,
    int Width = 128,
    int Layers = 2,
    int Heads = 4,
    int Steps = 4000,
    int BatchSize = 128,
    double LearningRate = 1e-3,
    double WeightDecay = 1e-4,
    bool BalanceEnvironments = true,
    int FineTuneSteps = 500,
    double FineTuneLearningRate = 3e-4,
    int LabelBatchSize = 256,
    bool MotionChannels = true);

/// <param name="Context">K, the Decision Transformer's context in steps.</param>
/// <param name="FrameStack">Frames stacked by behaviour cloning.</param>
/// <param name="TokensPerStep">Decision Transformer tokens per step: 3 (return-to-go, observation, action, as in the
/// paper) or 1 (one token per step from R_t, s_t and a_(t−1): the same causal information, a third of the tokens).</param>
/// <param name="WarmupFraction">Share of training steps with a linearly rising learning rate.</param>
/// <param name="FinalRateFraction">Learning rate at the end of the cosine decay, as a share of the peak.</param>
public sealed record PolicyHyperparameters(
    PolicyKind Kind = PolicyKind.DecisionTransformer,
    int Context = 20,
    int ConvChannels = 32,
    int Width = 128,
    int Layers = 3,
    int Heads = 4,
    int FrameStack = 2,
    int Steps = 5000,
    int BatchSize = 64,
    double LearningRate = 6e-4,
    double WeightDecay = 1e-4,
    int TokensPerStep = 3,
    double WarmupFraction = 0.05,
    double FinalRateFraction = 0.1);

/// <param name="Episodes">Online evaluation episodes (played in parallel, batched).</param>
/// <param name="MaxSteps">Step limit per evaluation episode, below the game's own cap (which the reference returns were measured with).</param>
/// <param name="TargetReturnFactor">Return the Decision Transformer is conditioned on, as a multiple of the best return in the target dataset.</param>
/// <param name="Temperature">Softmax temperature of action sampling; 0 = greedy (the default: sampling at 1 turned a
/// policy that played breakout at 0.49 of the expert greedily into 0.06, each sampled slip ending the episode).</param>
/// <param name="DuringTraining">Times the policy is also evaluated while it trains, evenly spaced (0: only at the end):
/// the return curve that shows whether training was cut off.</param>
/// <param name="DuringTrainingEpisodes">Episodes of each evaluation during training.</param>
public sealed record EvaluationHyperparameters(
    int Episodes = 50,
    int MaxSteps = 100_000,
    double TargetReturnFactor = 1.0,
    double Temperature = 0.0,
    int DuringTraining = 0,
    int DuringTrainingEpisodes = 8);

/// <summary>
/// Every hyperparameter of a trial in one typed record, with named presets: <c>smoke</c> (seconds,
/// for tests), <c>quick</c> (a few minutes at most on 2 cores), <c>paper</c> (the full-size setting).
/// </summary>
public sealed record TrialHyperparameters(
    DataHyperparameters Data,
    IdmHyperparameters Idm,
    PolicyHyperparameters Policy,
    EvaluationHyperparameters Evaluation)
{
    public static IReadOnlyList<string> PresetNames { get; } = ["smoke", "quick", "paper"];

    public static TrialHyperparameters Paper { get; } = new(new(), new(), new(), new());

    /// <summary>
    /// Sized for 2 CPU cores. The policy (one token per step, 1,000 steps × 64 at 2e-3, greedy evaluation) was chosen
    /// on trial seed 101 with dataset seed 7, never on the reported seeds (docs/LEARNING.md has the runs).
    /// </summary>
    public static TrialHyperparameters Quick { get; } = new(
        new(TargetTransitions: 25_000, SourceTransitions: 25_000, SegmentLength: 25),
        new(WindowEachSide: 1, ConvChannels: 16, Width: 64, Layers: 1, Heads: 4, Steps: 500, BatchSize: 128, LearningRate: 2e-3, FineTuneSteps: 150, FineTuneLearningRate: 5e-4),
        new(Context: 8, ConvChannels: 16, Width: 64, Layers: 2, Heads: 4, Steps: 1000, BatchSize: 64, LearningRate: 2e-3, TokensPerStep: 1),
        new(Episodes: 16, DuringTraining: 3));

    public static TrialHyperparameters Smoke { get; } = new(
        new(TargetTransitions: 2_000, SourceTransitions: 1_000, SegmentLength: 20),
        new(WindowEachSide: 1, ConvChannels: 8, Width: 32, Layers: 1, Heads: 2, Steps: 30, BatchSize: 32, FineTuneSteps: 5, LabelBatchSize: 512),
        new(Context: 4, ConvChannels: 8, Width: 32, Layers: 1, Heads: 2, Steps: 30, BatchSize: 16),
        new(Episodes: 2, MaxSteps: 50));

    /// <summary>A preset by name, with a clear error for an unknown one.</summary>
    public static TrialHyperparameters FromPreset(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.Trim().ToLowerInvariant() switch
        {
            "smoke" => Smoke,
            "quick" => Quick,
            "paper" => Paper,
            _ => throw new ArgumentException($"Unknown preset '{name}': expected one of {string.Join(", ", PresetNames)}.", nameof(name)),
        };
    }

    /// <summary>Checks every value is usable; throws naming the first one that is not.</summary>
    public void Validate()
    {
        Positive(Data.TargetTransitions, "data.targetTransitions");
        Positive(Data.SourceTransitions, "data.sourceTransitions");
        Positive(Data.Scale, "data.scale");
        Positive(Data.SegmentLength, "data.segmentLength");
        if (Idm.WindowEachSide < 0)
        {
            throw new ArgumentException($"idm.windowEachSide must be ≥ 0, got {Idm.WindowEachSide}.");
        }

        Positive(Idm.ConvChannels, "idm.convChannels");
        Positive(Idm.Width, "idm.width");
        Positive(Idm.Layers, "idm.layers");
        Positive(Idm.Heads, "idm.heads");
        Divisible(Idm.Width, Idm.Heads, "idm");
        Positive(Idm.Steps, "idm.steps");
        Positive(Idm.BatchSize, "idm.batchSize");
        Positive(Idm.LabelBatchSize, "idm.labelBatchSize");
        PositiveRate(Idm.LearningRate, "idm.learningRate");
        PositiveRate(Idm.FineTuneLearningRate, "idm.fineTuneLearningRate");
        if (Idm.FineTuneSteps < 0)
        {
            throw new ArgumentException($"idm.fineTuneSteps must be ≥ 0, got {Idm.FineTuneSteps}.");
        }

        Positive(Policy.Context, "policy.context");
        Positive(Policy.ConvChannels, "policy.convChannels");
        Positive(Policy.Width, "policy.width");
        Positive(Policy.Layers, "policy.layers");
        Positive(Policy.Heads, "policy.heads");
        Divisible(Policy.Width, Policy.Heads, "policy");
        Positive(Policy.FrameStack, "policy.frameStack");
        Positive(Policy.Steps, "policy.steps");
        Positive(Policy.BatchSize, "policy.batchSize");
        PositiveRate(Policy.LearningRate, "policy.learningRate");
        if (Policy.TokensPerStep is not (1 or 3))
        {
            throw new ArgumentException($"policy.tokensPerStep must be 1 or 3, got {Policy.TokensPerStep}.");
        }

        Fraction(Policy.WarmupFraction, "policy.warmupFraction");
        Fraction(Policy.FinalRateFraction, "policy.finalRateFraction");
        Positive(Evaluation.Episodes, "evaluation.episodes");
        Positive(Evaluation.MaxSteps, "evaluation.maxSteps");
        if (Evaluation.DuringTraining < 0)
        {
            throw new ArgumentException($"evaluation.duringTraining must be ≥ 0, got {Evaluation.DuringTraining}.");
        }

        Positive(Evaluation.DuringTrainingEpisodes, "evaluation.duringTrainingEpisodes");
        if (Evaluation.Temperature < 0 || double.IsNaN(Evaluation.Temperature))
        {
            throw new ArgumentException($"evaluation.temperature must be ≥ 0, got {Evaluation.Temperature}.");
        }
    }

    private static void Positive(int value, string name)
    {
        if (value <= 0)
        {
            throw new ArgumentException($"{name} must be positive, got {value}.");
        }
    }

    private static void PositiveRate(double value, string name)
    {
        if (!(value > 0) || double.IsInfinity(value))
        {
            throw new ArgumentException($"{name} must be a positive number, got {value}.");
        }
    }

    private static void Fraction(double value, string name)
    {
        if (!(value is >= 0 and <= 1))
        {
            throw new ArgumentException($"{name} must be between 0 and 1, got {value}.");
        }
    }

    private static void Divisible(int width, int heads, string model)
    {
        if (width % heads != 0)
        {
            throw new ArgumentException($"{model}.width ({width}) must be divisible by {model}.heads ({heads}).");
        }
    }
}
