using Alpt.Environments.Core;
using Alpt.Learning.Data;
using Alpt.Learning.Labelling;
using Alpt.Learning.Models;
using Alpt.Learning.Tests.Support;
using Alpt.Learning.Training;
using Alpt.Learning.Trials;
using TorchSharp;
using static TorchSharp.torch;

namespace Alpt.Learning.Tests;

/// <summary>The IDM never predicts an action outside the game's minimal set (a Fire in Breakout is not a label).</summary>
public sealed class ActionMaskTests
{
    [Fact]
    public void An_idm_that_favours_fire_labels_breakout_without_it()
    {
        // Breakout has noop, left and right. An IDM whose head leans hard towards fire labels every
        // transition fire unless the labeller keeps to the game's minimal set.
        var data = SyntheticEnvironment.Dataset("synth-a", 300, seed: 4);
        using var store = new FrameStore([data], CPU);
        torch.manual_seed(3);
        using var model = new InverseDynamicsModel(data.Shape, TrialHyperparameters.Smoke.Idm, 1);
        using (no_grad())
        {
            model.named_parameters().Single(p => p.name.EndsWith("heads.bias", StringComparison.Ordinal)).parameter[(int)GameAction.Fire].fill_(100);
        }

        var breakout = GameCatalogue.Get("breakout").MinimalActions;
        var set = new IdmExampleSet("breakout-like", data, 0, [.. Enumerable.Range(0, data.TransitionCount)], 0, breakout);

        var masked = IdmLabeller.Label(model, store, set, 1, 64, null, CancellationToken.None);
        var unmasked = IdmLabeller.Label(model, store, set with { MinimalActions = null }, 1, 64, null, CancellationToken.None);

        Assert.All(unmasked, l => Assert.Equal((byte)GameAction.Fire, l));
        Assert.All(masked, l => Assert.Contains((GameAction)l, breakout));
    }

    [Fact]
    public void Training_and_labelling_keep_to_the_sets_minimal_actions()
    {
        var data = SyntheticEnvironment.Dataset("synth-a", 400, seed: 3);
        using var store = new FrameStore([data], CPU);
        torch.manual_seed(5);
        using var model = new InverseDynamicsModel(data.Shape, TrialHyperparameters.Smoke.Idm, 1);
        GameAction[] minimal = [GameAction.Noop, GameAction.Right];
        var labelled = new IdmExampleSet("a", data, 0, [.. Enumerable.Range(0, data.TransitionCount).Where(t => minimal.Contains((GameAction)data.Actions[t]))], 0, minimal);
        var sampler = new IdmBatchSampler(store, [labelled], true, 1, 2);

        var (_, _, _, allowed) = sampler.NextMasked(4);
        var curve = IdmTrainer.Train(model, sampler, TrialPhases.IdmTraining, new OptimizerSettings(10, 16, 1e-3, 0), null, CancellationToken.None);
        var everything = labelled with { Transitions = [.. Enumerable.Range(0, data.TransitionCount)] };
        var labels = IdmLabeller.Label(model, store, everything, 1, 64, null, CancellationToken.None);
        var unmasked = IdmLabeller.Label(model, store, everything with { MinimalActions = null }, 1, 64, null, CancellationToken.None);

        Assert.Equal([true, false, false, true, false, false], allowed[0].data<bool>().ToArray());
        Assert.All(curve.Losses, l => Assert.True(double.IsFinite(l)));
        Assert.All(labels, l => Assert.Contains((GameAction)l, minimal));
        // Without a minimal set every action of the vocabulary stays possible.
        Assert.Equal([true, true, true, true, true, true], (everything with { MinimalActions = null }).AllowedActions());
        Assert.Equal(labels.Length, unmasked.Length);
    }
}
