using Alpt.Learning.Data;
using Alpt.Learning.Models;
using Alpt.Learning.Trials;
using static TorchSharp.torch;

namespace Alpt.Learning.Training;

/// <summary>Cross-entropy training of the inverse dynamics model on sampled transition windows.</summary>
public static class IdmTrainer
{
    public static TrainingCurve Train(
        InverseDynamicsModel model,
        IdmBatchSampler sampler,
        string phase,
        OptimizerSettings settings,
        IProgress<TrialProgress>? progress,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(sampler);
        ArgumentNullException.ThrowIfNull(settings);
        return TrainingLoop.Run(phase, model, settings, () =>
        {
            var (frames, vocabulary, actions, allowed) = sampler.NextMasked(settings.BatchSize);
            // Only the game's own actions compete: the IDM learns nothing about actions the game lacks.
            return nn.functional.cross_entropy(model.forward(frames, vocabulary, allowed), actions);
        }, progress, cancellationToken);
    }
}

/// <summary>Training of the policy (Decision Transformer or behaviour cloning) on the target data and its labels.</summary>
public static class PolicyTrainer
{
    public static TrainingCurve TrainDecisionTransformer(
        DecisionTransformer model,
        PolicyBatchSampler sampler,
        OptimizerSettings settings,
        IProgress<TrialProgress>? progress,
        CancellationToken cancellationToken,
        TrainingCheck? check = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(sampler);
        ArgumentNullException.ThrowIfNull(settings);
        return TrainingLoop.Run(TrialPhases.PolicyTraining, model, settings, () =>
        {
            var batch = sampler.NextDecision(settings.BatchSize, model.Context);
            var logits = model.forward(batch.ReturnsToGo, batch.Frames, batch.Actions, batch.Valid);
            // Loss on real steps only: padded steps carry no action.
            var perStep = nn.functional.cross_entropy(logits.flatten(0, 1), batch.Actions.flatten(), reduction: nn.Reduction.None);
            var valid = batch.Valid.flatten().to(ScalarType.Float32);
            return (perStep * valid).sum() / valid.sum();
        }, progress, cancellationToken, check);
    }

    public static TrainingCurve TrainBehaviourCloning(
        BehaviourCloningPolicy model,
        PolicyBatchSampler sampler,
        OptimizerSettings settings,
        IProgress<TrialProgress>? progress,
        CancellationToken cancellationToken,
        TrainingCheck? check = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(sampler);
        ArgumentNullException.ThrowIfNull(settings);
        return TrainingLoop.Run(TrialPhases.PolicyTraining, model, settings, () =>
        {
            var (frames, actions) = sampler.NextCloning(settings.BatchSize, model.FrameStack);
            return nn.functional.cross_entropy(model.forward(frames), actions);
        }, progress, cancellationToken, check);
    }
}
