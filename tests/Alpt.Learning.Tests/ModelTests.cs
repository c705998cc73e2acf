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

    [Theory]
    [InlineData(3)]
    [InlineData(1)]
    public void The_decision_transformer_predicts_one_action_per_step_and_cannot_see_the_future(int tokensPerStep)
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(2);
        using var model = new DecisionTransformer(SyntheticEnvironment.Shape, Policy with { TokensPerStep = tokensPerStep });
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

    [Theory]
    [InlineData(3)]
    [InlineData(1)]
    public void Left_padding_does_not_leak_into_real_steps(int tokensPerStep)
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(3);
        using var model = new DecisionTransformer(SyntheticEnvironment.Shape, Policy with { TokensPerStep = tokensPerStep });
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
    public void The_frame_encoder_computes_plain_convolutions_whatever_the_input_layout()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(4);
        using var encoder = new FrameEncoder(SyntheticEnvironment.Shape, inChannels: 6, channels: 8, embedding: 16);
        var p = encoder.named_parameters().ToDictionary(x => x.name, x => x.parameter);
        var frames = Tensors.Uniform(5, 6, 10, 10);

        // The reference: NCHW convolutions and PyTorch's flatten order, with the encoder's own weights.
        var x = nn.functional.relu(nn.functional.conv2d(frames, p["_conv1.weight"], p["_conv1.bias"], padding: [1, 1]));
        x = nn.functional.relu(nn.functional.conv2d(x, p["_conv2.weight"], p["_conv2.bias"], strides: [2, 2], padding: [1, 1]));
        var expected = nn.functional.linear(x.flatten(1), p["_project.weight"], p["_project.bias"]);

        Assert.Equal([5L, 16L], expected.shape);
        Assert.True(encoder.forward(frames).allclose(expected, rtol: 1e-4, atol: 1e-5), "NCHW input");
        var channelsLast = frames.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);
        Assert.True(encoder.forward(channelsLast).allclose(expected, rtol: 1e-4, atol: 1e-5), "channels-last input");
    }

    [Fact]
    public void Analytic_flop_counts_match_the_paper_models_layer_by_layer()
    {
        var shape = SyntheticEnvironment.Shape;
        var paper = TrialHyperparameters.Paper.Idm;
        // conv1 6→32 on 10×10, conv2 32→64 stride 2 on 5×5, linear 64·5·5→128.
        const long frame = (100 * 32 * 6 * 9) + (25 * 64 * 32 * 9) + (64 * 25 * 128);
        Assert.Equal(frame, FrameEncoder.MacsPerFrame(shape, 6, 32, 128));
        using var idm = new InverseDynamicsModel(shape, paper, 1);
        // 6 frames; 2 blocks × (6 tokens × 12·128² + 2·6²·128); the 2·128 → 6 head.
        const long transformer = 2 * ((6 * 12 * 128 * 128) + (2 * 36 * 128));
        Assert.Equal((6 * frame) + transformer + (2 * 128 * 6), idm.MacsPerSample());
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
