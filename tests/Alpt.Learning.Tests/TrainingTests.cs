using Alpt.Learning.Checkpoints;
using Alpt.Learning.Data;
using Alpt.Learning.Labelling;
using Alpt.Learning.Models;
using Alpt.Learning.Tests.Support;
using Alpt.Learning.Training;
using Alpt.Learning.Trials;
using TorchSharp;
using static TorchSharp.torch;

namespace Alpt.Learning.Tests;

public sealed class TrainingTests
{
    [Fact]
    public void The_idm_learns_to_see_actions_on_a_large_labelled_set_of_one_game()
    {
        var train = SyntheticEnvironment.Dataset("synth-a", 6_000, seed: 1);
        var test = SyntheticEnvironment.Dataset("synth-a", 1_000, seed: 2);
        var config = TrialHyperparameters.Smoke.Idm with { ConvChannels = 8, Width = 32 };
        using var store = new FrameStore([train, test], CPU);
        torch.manual_seed(11);
        using var model = new InverseDynamicsModel(train.Shape, config, 1);
        var sampler = new IdmBatchSampler(store, [new IdmExampleSet("train", train, 0, [.. Enumerable.Range(0, train.TransitionCount)], 0)], true, config.WindowEachSide, 5);
        var reports = new List<TrialProgress>();

        var curve = IdmTrainer.Train(model, sampler, TrialPhases.IdmTraining, new OptimizerSettings(500, 64, 3e-3, 1e-4), new Inline(reports.Add), CancellationToken.None);
        var testSet = new IdmExampleSet("test", test, 1, [.. Enumerable.Range(0, test.TransitionCount)], 0);
        var predicted = IdmLabeller.Label(model, store, testSet, config.WindowEachSide, 256, null, CancellationToken.None);
        var accuracy = IdmLabeller.Score(predicted, test.Actions);

        // Moves into a wall look like noop; everything else is visible. Chance is 1/6.
        Assert.True(accuracy.Overall > 0.9, $"accuracy {accuracy.Overall:F3}");
        Assert.True(curve.Losses[^1] < curve.Losses[0] * 0.5, $"loss {curve.Losses[0]:F3} → {curve.Losses[^1]:F3}");
        Assert.True(curve.Steps.Count <= TrainingLoop.CurvePoints + 1);
        Assert.Contains(reports, r => r.Phase == TrialPhases.IdmTraining && r.Step == 500 && r.TotalSteps == 500 && r.SamplesPerSecond > 0);
    }

    [Fact]
    public void The_decision_transformer_loss_falls()
    {
        var data = SyntheticEnvironment.Dataset("synth-a", 2_000);
        using var store = new FrameStore([data], CPU);
        var config = TrialHyperparameters.Smoke.Policy;
        torch.manual_seed(12);
        using var model = new DecisionTransformer(data.Shape, config);
        var runs = Enumerable.Range(0, data.EpisodeCount).Select(e => new TransitionRun(data.EpisodeStarts[e], data.EpisodeStarts[e + 1])).ToList();
        var sampler = new PolicyBatchSampler(store, new PolicyExampleSet(data, 0, runs, data.Actions), 3);

        var curve = PolicyTrainer.TrainDecisionTransformer(model, sampler, new OptimizerSettings(150, 32, 3e-3, 1e-4), null, CancellationToken.None);

        // The behaviour moves right half the time in half the episodes: learnable from the observed context.
        Assert.True(curve.Losses[^1] < curve.Losses[0] - 0.05, $"loss {curve.Losses[0]:F3} → {curve.Losses[^1]:F3}");
    }

    [Fact]
    public void Cancellation_stops_training_at_the_next_step()
    {
        var data = SyntheticEnvironment.Dataset("synth-a", 500);
        using var store = new FrameStore([data], CPU);
        using var model = new InverseDynamicsModel(data.Shape, TrialHyperparameters.Smoke.Idm, 1);
        var sampler = new IdmBatchSampler(store, [new IdmExampleSet("a", data, 0, [0, 1, 2, 3], 0)], true, 1, 1);
        using var cancellation = new CancellationTokenSource();
        var steps = 0;

        Assert.ThrowsAny<OperationCanceledException>(() => TrainingLoop.Run("idm", model, new OptimizerSettings(100_000, 8, 1e-3, 0), () =>
        {
            if (++steps == 3)
            {
                cancellation.Cancel();
            }

            var (frames, vocabulary, actions) = sampler.Next(8);
            return nn.functional.cross_entropy(model.forward(frames, vocabulary), actions);
        }, null, cancellation.Token));
        Assert.Equal(3, steps);
    }

    [Fact]
    public void The_curve_summed_on_the_device_is_the_mean_of_each_step_s_loss()
    {
        var data = SyntheticEnvironment.Dataset("synth-a", 500);
        using var store = new FrameStore([data], CPU);
        torch.manual_seed(13);
        using var model = new InverseDynamicsModel(data.Shape, TrialHyperparameters.Smoke.Idm, 1);
        var sampler = new IdmBatchSampler(store, [new IdmExampleSet("a", data, 0, [.. Enumerable.Range(0, 400)], 0)], true, 1, 2);
        var perStep = new List<double>();
        var reports = new List<TrialProgress>();
        const int steps = 250;

        var curve = TrainingLoop.Run("idm", model, new OptimizerSettings(steps, 16, 1e-3, 0), () =>
        {
            var (frames, vocabulary, actions) = sampler.Next(16);
            var loss = nn.functional.cross_entropy(model.forward(frames, vocabulary), actions);
            perStep.Add(loss.item<float>()); // the host-side reading the loop itself no longer makes
            return loss;
        }, new Inline(reports.Add), CancellationToken.None);

        // 250 steps in points of 2, the last point closing the curve.
        Assert.Equal(125, curve.Steps.Count);
        Assert.Equal(steps, curve.Steps[^1]);
        var from = 0;
        for (var i = 0; i < curve.Steps.Count; i++)
        {
            var expected = perStep.Skip(from).Take(curve.Steps[i] - from).Average();
            Assert.Equal(expected, curve.Losses[i], 12);
            from = curve.Steps[i];
        }

        var last = reports[^1];
        Assert.Equal(steps, last.Step);
        Assert.InRange(last.Loss, perStep.Min(), perStep.Max());
    }

    [Fact]
    public void A_check_during_training_runs_every_n_steps_with_the_model_in_eval_mode()
    {
        var data = SyntheticEnvironment.Dataset("synth-a", 500);
        using var store = new FrameStore([data], CPU);
        using var model = new InverseDynamicsModel(data.Shape, TrialHyperparameters.Smoke.Idm, 1);
        var sampler = new IdmBatchSampler(store, [new IdmExampleSet("a", data, 0, [.. Enumerable.Range(0, 100)], 0)], true, 1, 3);
        var checkedAt = new List<(int Step, bool Training)>();

        TrainingLoop.Run("idm", model, new OptimizerSettings(30, 8, 1e-3, 0), () =>
        {
            Assert.True(model.training, "steps train with the model in training mode");
            var (frames, vocabulary, actions) = sampler.Next(8);
            return nn.functional.cross_entropy(model.forward(frames, vocabulary), actions);
        }, null, CancellationToken.None, new TrainingCheck(10, step => checkedAt.Add((step, model.training))));

        // Not at the last step: the trial evaluates the finished model anyway.
        Assert.Equal([(10, false), (20, false)], checkedAt);
    }

    [Fact]
    public void The_learning_rate_warms_up_then_decays_to_its_final_share()
    {
        var settings = new OptimizerSettings(1000, 8, 2e-3, 0, WarmupFraction: 0.1, FinalRateFraction: 0.05);
        Assert.Equal(2e-3 / 100, settings.RateAt(0), 12);
        Assert.Equal(2e-3, settings.RateAt(99), 12);
        Assert.True(settings.RateAt(500) < settings.RateAt(200));
        Assert.Equal(2e-3 * 0.05, settings.RateAt(1000), 6);
    }

    [Fact]
    public void A_checkpoint_restores_the_same_model_and_refuses_another_architecture()
    {
        var path = Path.Combine(Path.GetTempPath(), $"alpt-idm-{Guid.NewGuid():N}.bin");
        try
        {
            var config = TrialHyperparameters.Smoke.Idm;
            using var scope = NewDisposeScope();
            torch.manual_seed(5);
            using var saved = new InverseDynamicsModel(SyntheticEnvironment.Shape, config, 2);
            Checkpoint.Save(saved, path);
            torch.manual_seed(6);
            using var loaded = new InverseDynamicsModel(SyntheticEnvironment.Shape, config, 2);
            Checkpoint.Load(loaded, path);
            saved.eval();
            loaded.eval();
            var frames = Tensors.Uniform(2, saved.WindowFrames, 3, 10, 10);
            var head = ones(2, dtype: ScalarType.Int64);

            Assert.True(saved.forward(frames, head).allclose(loaded.forward(frames, head)));
            Assert.Empty(Directory.GetFiles(Path.GetTempPath(), Path.GetFileName(path) + ".tmp-*"));
            using var wider = new InverseDynamicsModel(SyntheticEnvironment.Shape, config with { Width = 64 }, 2);
            Assert.ThrowsAny<Exception>(() => Checkpoint.Load(wider, path));
            Assert.Throws<FileNotFoundException>(() => Checkpoint.Load(loaded, path + ".missing"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>Reports synchronously (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class Inline(Action<TrialProgress> report) : IProgress<TrialProgress>
    {
        public void Report(TrialProgress value) => report(value);
    }
}
