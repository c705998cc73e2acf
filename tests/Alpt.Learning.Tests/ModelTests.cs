using Alpt.Learning.Models;
using Alpt.Learning.Tests.Support;
using Alpt.Learning.Trials;
using TorchSharp;
using static TorchSharp.torch;

namespace Alpt.Learning.Tests;

public sealed class ModelTests
{
    private static readonly IdmHyperparameters Idm = TrialHyperparameters.Smoke.Idm;
    private static readonly PolicyHyperparameters Policy = TrialHyperparameters.Smoke.Policy with { Context = 5 };

    [Fact]
    public void The_idm_maps_a_window_of_frames_to_logits_of_the_chosen_head()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(1);
        using var model = new InverseDynamicsModel(SyntheticEnvironment.Shape, Idm, vocabularies: 3);
        model.eval();
        var frames = Tensors.Uniform(4, model.WindowFrames, 3, 10, 10);

        var head0 = model.forward(frames, zeros(4, dtype: ScalarType.Int64));
        var head2 = model.forward(frames, full(4, 2, ScalarType.Int64));

        Assert.Equal([4L, 6L], head0.shape);
        Assert.Equal(4, model.WindowFrames); // k = 1 each side, plus the two frames of the transition
        Assert.False(head0.allclose(head2), "different vocabularies must answer with different heads");
    }

    [Fact]
    public void The_decision_transformer_predicts_one_action_per_step_and_cannot_see_the_future()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(2);
        using var model = new DecisionTransformer(SyntheticEnvironment.Shape, Policy);
        model.eval();
        var k = Policy.Context;
        var rtg = Tensors.Uniform(2, k);
        var frames = Tensors.Uniform(2, k, 3, 10, 10);
        var actions = randint(0, 6, [2, k], ScalarType.Int64);
        var valid = ones(2, k, ScalarType.Bool);
        var logits = model.forward(rtg, frames, actions, valid);
        Assert.Equal([2L, k, 6L], logits.shape);

        // Change everything from step 2 on, and the action of step 1 itself.
        const int j = 1;
        var rtg2 = rtg.clone();
        rtg2[.., (j + 1)..] = Tensors.Uniform(2, k - j - 1);
        var frames2 = frames.clone();
        frames2[.., (j + 1)..] = Tensors.Uniform(2, k - j - 1, 3, 10, 10);
        var actions2 = actions.clone();
        actions2[.., j..] = (actions[.., j..] + 1).remainder(6);
        var changed = model.forward(rtg2, frames2, actions2, valid);

        Assert.True(logits[.., ..(j + 1)].allclose(changed[.., ..(j + 1)], rtol: 1e-4, atol: 1e-5), "steps ≤ j must not see later tokens or their own action");
        Assert.False(logits[.., (j + 1)..].allclose(changed[.., (j + 1)..], rtol: 1e-4, atol: 1e-5), "later steps do see the changed inputs");
    }

    [Fact]
    public void Left_padding_does_not_leak_into_real_steps()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(3);
        using var model = new DecisionTransformer(SyntheticEnvironment.Shape, Policy);
        model.eval();
        var k = Policy.Context;
        var valid = ones(1, k, ScalarType.Bool);
        valid[0, ..2] = false;
        var rtg = Tensors.Uniform(1, k);
        var frames = Tensors.Uniform(1, k, 3, 10, 10);
        var actions = randint(0, 6, [1, k], ScalarType.Int64);

        var a = model.forward(rtg, frames, actions, valid);
        var rtg2 = rtg.clone();
        rtg2[0, ..2] = 5;
        var frames2 = frames.clone();
        frames2[0, ..2] = 0;
        var b = model.forward(rtg2, frames2, actions, valid);

        Assert.True(a[0, 2..].allclose(b[0, 2..], rtol: 1e-4, atol: 1e-5));
        Assert.False(a.isnan().any().item<bool>());
    }

    [Fact]
    public void Behaviour_cloning_maps_a_frame_stack_to_logits()
    {
        using var scope = NewDisposeScope();
        using var model = new BehaviourCloningPolicy(SyntheticEnvironment.Shape, Policy);
        var logits = model.forward(Tensors.Uniform(3, Policy.FrameStack, 3, 10, 10));
        Assert.Equal([3L, 6L], logits.shape);
    }

    [Fact]
    public void Analytic_flop_counts_grow_with_the_model()
    {
        using var small = new InverseDynamicsModel(SyntheticEnvironment.Shape, Idm, 1);
        using var large = new InverseDynamicsModel(SyntheticEnvironment.Shape, Idm with { Width = 64, Layers = 2 }, 1);
        Assert.True(large.MacsPerSample() > small.MacsPerSample());
        Assert.True(small.MacsPerSample() > 0);
    }
}
