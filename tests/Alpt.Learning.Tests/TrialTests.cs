using System.Text.Json;
using Alpt.Learning.Tests.Support;
using Alpt.Learning.Trials;
using static TorchSharp.torch;

namespace Alpt.Learning.Tests;

public sealed class TrialTests
{
    private static readonly GameRef Target = new("synth-a");

    private static TrialSpec Spec(TrialMethod method, int seed = 1) => new(
        Target,
        method == TrialMethod.Alpt ? [new GameRef("synth-b"), new GameRef("synth-c")] : [],
        Budget: 100,
        method,
        seed,
        TrialHyperparameters.Smoke);

    private static TrialResult Run(TrialSpec spec, IProgress<TrialProgress>? progress = null, CancellationToken cancellationToken = default) =>
        TrialRunner.Run(spec, SyntheticEnvironment.Instance, CPU, progress, cancellationToken, SyntheticEnvironment.Instance);

    [Fact]
    public void Two_runs_of_the_same_spec_give_the_same_result()
    {
        var first = Run(Spec(TrialMethod.Alpt, seed: 3));
        var second = Run(Spec(TrialMethod.Alpt, seed: 3));

        Assert.NotNull(first.IdmAccuracy);
        Assert.Equal(first.IdmAccuracy!.Overall, second.IdmAccuracy!.Overall);
        Assert.Equal(first.Evaluation.Returns, second.Evaluation.Returns);
        Assert.Equal(first.Curves.Select(c => c.Losses), second.Curves.Select(c => c.Losses));
        Assert.Equal(100, first.LabelledTransitions);
        Assert.Equal(1_900, first.UnlabelledTransitions);
        Assert.Equal(1_900, first.IdmAccuracy.Count);
        Assert.Contains(TrialPhases.IdmTraining, first.PhaseSeconds.Keys);
        Assert.Contains(TrialPhases.Labelling, first.PhaseSeconds.Keys);
    }

    [Fact]
    public void Every_method_runs_and_only_the_idm_methods_report_label_accuracy()
    {
        var phases = new HashSet<string>();
        var labelledOnly = Run(Spec(TrialMethod.LabelledOnly), new Inline(p => phases.Add(p.Phase)));
        var idmTarget = Run(Spec(TrialMethod.IdmTarget));
        var oracle = Run(Spec(TrialMethod.Oracle) with { Budget = 0 });

        Assert.Null(labelledOnly.IdmAccuracy);
        Assert.NotNull(idmTarget.IdmAccuracy);
        Assert.Null(oracle.IdmAccuracy);
        Assert.Equal(2_000, oracle.LabelledTransitions);
        Assert.DoesNotContain(TrialPhases.IdmTraining, phases);
        Assert.Contains(TrialPhases.PolicyTraining, phases);
        Assert.Contains(TrialPhases.Evaluation, phases);
        Assert.All([labelledOnly, idmTarget, oracle], r => Assert.Equal(2, r.Evaluation.Returns.Count));
    }

    [Fact]
    public void Disjoint_actions_and_another_evaluation_variant_are_honoured()
    {
        var result = Run(Spec(TrialMethod.Alpt) with { DisjointActions = true, EvaluationVariant = "hard" });

        Assert.Equal("hard", result.Evaluation.Variant);
        Assert.NotNull(result.IdmAccuracy);
    }

    [Fact]
    public void A_cancelled_trial_stops()
    {
        using var cancellation = new CancellationTokenSource();
        var spec = Spec(TrialMethod.Alpt) with { Hyperparameters = TrialHyperparameters.Smoke with { Idm = TrialHyperparameters.Smoke.Idm with { Steps = 1_000_000 } } };

        Assert.ThrowsAny<OperationCanceledException>(() => Run(spec, new Inline(p =>
        {
            if (p.Phase == TrialPhases.IdmTraining && p.Step > 0)
            {
                cancellation.Cancel();
            }
        }), cancellation.Token));
    }

    [Fact]
    public void Specs_and_results_round_trip_through_json()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        var result = Run(Spec(TrialMethod.IdmTarget));

        var json = JsonSerializer.Serialize(result, options);
        var back = JsonSerializer.Deserialize<TrialResult>(json, options)!;

        Assert.Contains("\"method\":\"idm-target\"", json, StringComparison.Ordinal);
        Assert.Equal(result.Spec.Hyperparameters, back.Spec.Hyperparameters);
        Assert.Equal(result.Spec.Target, back.Spec.Target);
        Assert.Equal(result.IdmAccuracy!.Overall, back.IdmAccuracy!.Overall);
        Assert.Equal(result.IdmAccuracy.Confusion.SelectMany(r => r), back.IdmAccuracy.Confusion.SelectMany(r => r));
        Assert.Equal(result.Evaluation.Returns, back.Evaluation.Returns);
        Assert.Equal(JsonSerializer.Serialize(back, options), json);
    }

    [Theory]
    [InlineData("synth-b", "synth-a", "is the target game")]
    [InlineData("synth-b", "synth-b", "listed twice")]
    public void Bad_source_sets_are_refused_with_a_clear_error(string first, string second, string message)
    {
        var spec = Spec(TrialMethod.Alpt) with { Sources = [new GameRef(first), new GameRef(second)] };

        var error = Assert.Throws<ArgumentException>(spec.Validate);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_budgets_methods_and_presets_are_refused_with_a_clear_error()
    {
        Assert.Contains("Budget", Assert.Throws<ArgumentException>((Spec(TrialMethod.IdmTarget) with { Budget = 0 }).Validate).Message, StringComparison.Ordinal);
        Assert.Contains("Budget", Assert.Throws<ArgumentException>((Spec(TrialMethod.IdmTarget) with { Budget = 2_000 }).Validate).Message, StringComparison.Ordinal);
        Assert.Contains("at least one source", Assert.Throws<ArgumentException>((Spec(TrialMethod.Alpt) with { Sources = [] }).Validate).Message, StringComparison.Ordinal);
        Assert.Contains("uses no source", Assert.Throws<ArgumentException>((Spec(TrialMethod.IdmTarget) with { Sources = [new GameRef("synth-b")] }).Validate).Message, StringComparison.Ordinal);
        Assert.Contains("idm.width", Assert.Throws<ArgumentException>((Spec(TrialMethod.IdmTarget) with { Hyperparameters = TrialHyperparameters.Smoke with { Idm = TrialHyperparameters.Smoke.Idm with { Width = 33 } } }).Validate).Message, StringComparison.Ordinal);
        Assert.Contains("expected one of", Assert.Throws<ArgumentException>(() => TrialHyperparameters.FromPreset("huge")).Message, StringComparison.Ordinal);
        Assert.Contains("expected one of", Assert.Throws<ArgumentException>(() => TrialMethods.Parse("magic")).Message, StringComparison.Ordinal);
        Assert.Equal(TrialMethod.IdmTarget, TrialMethods.Parse("idm-target"));
        Assert.Equal(new GameRef("breakout", "hard"), GameRef.Parse("Breakout:hard"));
    }

    [Fact]
    public void Presets_grow_from_smoke_to_paper()
    {
        foreach (var name in TrialHyperparameters.PresetNames)
        {
            TrialHyperparameters.FromPreset(name).Validate();
        }

        Assert.True(TrialHyperparameters.Smoke.Idm.Steps < TrialHyperparameters.Quick.Idm.Steps);
        Assert.True(TrialHyperparameters.Quick.Idm.Steps < TrialHyperparameters.Paper.Idm.Steps);
        Assert.True(TrialHyperparameters.Quick.Data.TargetTransitions < TrialHyperparameters.Paper.Data.TargetTransitions);
    }

    private sealed class Inline(Action<TrialProgress> report) : IProgress<TrialProgress>
    {
        public void Report(TrialProgress value) => report(value);
    }
}
