using Alpt.Grid.Abstractions.Sweeps;
using Alpt.Grid.Abstractions.Trials;
using Alpt.Grid.Console.Sweeps;
using Alpt.Grid.Silo.Trials;
using Alpt.Learning.Trials;

namespace Alpt.Grid.Console.Tests;

public sealed class SweepSpecTests
{
    private const string Valid = """
        name: t
        preset: smoke
        targets: [freeway]
        sourceSets: [[asterix], all-others]
        budgets: [100, 400]
        methods: [idm-target, alpt]
        seeds: 2
        """;

    [Fact]
    public void A_spec_expands_into_the_grid_with_relative_source_sets_resolved()
    {
        var definition = SweepYaml.Parse(Valid, "fallback");

        var spec = Assert.Single(definition.Parts);
        Assert.Equal("t", spec.Name);
        Assert.Equal([0, 1], spec.Seeds);
        Assert.Equal(["asterix"], spec.SourceSets[0]);
        Assert.Equal(["breakout", "space-invaders", "asterix", "seaquest"], spec.SourceSets[1]);
        // idm-target × 2 budgets + alpt × 2 source sets × 2 budgets, 2 seeds each.
        Assert.Equal(6, definition.Experiments);
        Assert.Equal(12, definition.Trials);
    }

    [Fact]
    public void Several_targets_with_relative_sources_become_one_grid_sweep_per_target()
    {
        var definition = SweepPresets.Get("paper");

        Assert.Equal(["paper.breakout", "paper.space-invaders", "paper.freeway", "paper.asterix", "paper.seaquest"], definition.Parts.Select(p => p.Name));
        Assert.All(definition.Parts, p => Assert.DoesNotContain(p.Targets[0], p.SourceSets.SelectMany(s => s)));
        Assert.Equal(["space-invaders"], definition.Parts[0].SourceSets[0]);
        // Per target: labelled-only and idm-target × 5 budgets, alpt × 2 source sets × 5 budgets, the oracle once; 5 seeds.
        Assert.Equal(5 * ((2 * 5) + (2 * 5) + 1) * 5, definition.Trials);
    }

    [Theory]
    [InlineData("smoke")]
    [InlineData("quick")]
    [InlineData("paper")]
    public void Presets_are_valid_sweeps(string preset) => Assert.True(SweepPresets.Get(preset).Trials > 0);

    [Theory]
    [InlineData("smoke", 7, 21)]
    [InlineData("quick", 5, 15)]
    [InlineData("paper", 105, 525)]
    public void Presets_run_the_oracle_once_per_target(string preset, int experiments, int trials)
    {
        var definition = SweepPresets.Get(preset);

        Assert.Equal((experiments, trials), (definition.Experiments, definition.Trials));
        Assert.Equal(definition.Parts.Sum(p => p.Targets.Length), definition.Parts.SelectMany(SweepExpansion.Experiments).Count(e => e.Method == "oracle"));
    }

    [Fact]
    public void The_documented_example_is_a_valid_spec()
    {
        var definition = SweepYaml.Load(Path.Combine(RepositoryRoot(), "examples", "sweep.yaml"));

        Assert.Equal("breakout-example", definition.Name);
        Assert.Equal("16", Assert.Single(definition.Parts).Overrides["evaluation.episodes"]);
    }

    [Fact]
    public void The_claims_sweep_has_five_targets_five_seeds_datasets_per_seed_and_disjoint_actions_for_alpt_only()
    {
        var definition = SweepYaml.Load(Path.Combine(RepositoryRoot(), "examples", "claims.yaml"));

        Assert.Equal(["breakout", "space-invaders", "freeway", "asterix", "seaquest"], definition.Parts.Select(p => p.Targets[0]));
        Assert.All(definition.Parts, p =>
        {
            Assert.True(p.Seeds.Length >= 5);
            Assert.Equal("true", p.Overrides["data.datasetPerSeed"]);
            Assert.Equal([false, true], p.DisjointActions);
        });
        // Per target and seed: labelled-only, idm-target, the oracle, alpt × 2 source sets × 2 action layouts.
        Assert.Equal(5 * 5 * (3 + (2 * 2)), definition.Trials);
    }

    [Fact]
    public void The_paper_grid_spends_at_most_twelve_minutes_of_play_a_small_share_of_its_target_data()
    {
        var part = SweepPresets.Get("paper").Parts[0];

        Assert.Equal([250, 900, 2_700, 10_800, 25_000], part.Budgets);
        Assert.True(10_800 < 0.05 * TrialHyperparameters.Paper.Data.TargetTransitions);
    }

    [Theory]
    [InlineData("", DeviceKind.Any)]
    [InlineData("device: any\n", DeviceKind.Any)]
    [InlineData("device: cuda\n", DeviceKind.Cuda)]
    [InlineData("device: gpu\n", DeviceKind.Cuda)]
    [InlineData("device: CPU\n", DeviceKind.Cpu)]
    public void A_spec_may_ask_for_a_device_kind_and_its_experiments_carry_it(string line, DeviceKind expected)
    {
        var definition = SweepYaml.Parse(line + Valid, "fallback");

        var spec = Assert.Single(definition.Parts);
        Assert.Equal(expected, spec.Device);
        Assert.All(SweepExpansion.Experiments(spec), e => Assert.Equal(expected, e.Device));
    }

    [Fact]
    public void The_device_kind_is_where_trials_run_not_what_they_compute_so_experiment_ids_do_not_change()
    {
        var any = Assert.Single(SweepYaml.Parse(Valid, "x").Parts);
        var cuda = Assert.Single(SweepYaml.Parse("device: cuda\n" + Valid, "x").Parts);

        Assert.Equal(SweepExpansion.Experiments(any).Select(e => e.Id), SweepExpansion.Experiments(cuda).Select(e => e.Id));
        // The same id with another device kind is another sweep: relaunching it under that id is refused.
        Assert.NotEqual(SweepExpansion.Fingerprint(any), SweepExpansion.Fingerprint(cuda));
        Assert.DoesNotContain("device=", SweepExpansion.Fingerprint(any), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("targets: [freeway\nbudgets: [1]", "malformed YAML")]
    [InlineData("targets: [freeway]\nbudgets: [100]\nbudgetz: [3]", "unknown field 'budgetz'")]
    [InlineData("targets: [pong]\nbudgets: [100]", "target 'pong' is not a known game")]
    [InlineData("targets: [freeway]\nvariants: [nightmare]\nbudgets: [100]", "variant 'nightmare' does not exist for 'freeway'")]
    [InlineData("targets: [freeway]\nsourceSets: [[freeway, asterix]]\nbudgets: [100]", "contains the target 'freeway'")]
    [InlineData("targets: [freeway]\nsourceSets: [[asterix, asterix]]\nbudgets: [100]", "lists a source twice")]
    [InlineData("preset: smoke\ntargets: [freeway]\nbudgets: [5000]\nmethods: [idm-target]", "budget 5000 must be below the target dataset's 2,000 transitions")]
    [InlineData("targets: [freeway]\nbudgets: [0]", "budget '0' must be > 0")]
    [InlineData("targets: [freeway]\nbudgets: [12mins]", "line 2: 'budgets': budget '12mins' is not a count of labelled transitions (250), a share of the target data (1%) or minutes of play (12min)")]
    [InlineData("targets: [freeway]\nbudgets: [2.5]", "budget '2.5' is not a count")]
    [InlineData("targets: [freeway]\nbudgets: [100%]", "must be a share below 100%")]
    [InlineData("preset: smoke\ntargets: [freeway]\nbudgets: [12min]", "budget 12min (10,800 transitions) must be below the target dataset's 2,000 transitions")]
    [InlineData("targets: [freeway]\nbudgets: [0.001%]", "less than one labelled transition")]
    [InlineData("targets: [freeway]\nbudgets: [1%, 250]", "1% and 250 are the same budget (250 transitions)")]
    [InlineData("targets: [freeway]\nbudgets: [100]\nseeds: []", "at least one seed")]
    [InlineData("targets: [freeway]\nbudgets: [100]\npreset: huge", "preset 'huge' is not known")]
    [InlineData("targets: [freeway]\nbudgets: [100]\noverrides: {idm.stepz: 3}", "hyperparameter 'idm.stepz' is not known")]
    [InlineData("targets: [freeway]\nbudgets: [100]\noverrides: {idm.steps: lots}", "idm.steps=lots: expected a number")]
    [InlineData("targets: [freeway]\nbudgets: [100]\nseeds: 100000", "should be a count from 1 to 10000")]
    [InlineData("targets: [freeway]\nbudgets: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]\nseeds: 10000", "more than the limit of 100000")]
    [InlineData("targets: [freeway]\nbudgets: [100]\ndevice: tpu", "line 3: 'device': 'tpu' is not cuda, cpu or any")]
    [InlineData("targets: [freeway]\nbudgets: [100]\ndevice: [cuda, cpu]", "'device' should be a single value")]
    public void A_bad_spec_is_refused_naming_the_problem(string yaml, string expected)
    {
        var error = Assert.Throws<InvalidSweepSpecException>(() => SweepYaml.Parse(yaml, "bad"));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Overrides_change_the_preset_and_keep_the_rest()
    {
        var hp = HyperparameterOverrides.Apply(TrialHyperparameters.Smoke, new Dictionary<string, string> { ["idm.steps"] = "77", ["policy.kind"] = "bc", ["idm.learningRate"] = "0.5" });

        Assert.Equal(77, hp.Idm.Steps);
        Assert.Equal(0.5, hp.Idm.LearningRate);
        Assert.Equal(PolicyKind.BehaviourCloning, hp.Policy.Kind);
        Assert.Equal(TrialHyperparameters.Smoke.Data, hp.Data);
        Assert.Contains("idm.steps", HyperparameterOverrides.Names);
    }

    [Fact]
    public void Welch_interval_matches_a_hand_computation()
    {
        // a: mean 2, var 1 (n 3); b: mean 0, var 1 (n 3): se = sqrt(2/3), df = 4, t(0.975, 4) = 2.776445.
        var (diff, low, high) = SweepReport.Welch([1, 2, 3], [-1, 0, 1]);

        Assert.Equal(2, diff, 9);
        Assert.Equal(2 - (2.776445 * Math.Sqrt(2.0 / 3)), low, 5);
        Assert.Equal(2 + (2.776445 * Math.Sqrt(2.0 / 3)), high, 5);
    }

    [Fact]
    public void Budgets_are_written_as_counts_shares_or_minutes_and_run_as_transitions()
    {
        // quick: a target dataset of 25,000 transitions; 2% = 500; 1 min at 15/s = 900; 0.5min = 450.
        var definition = SweepYaml.Parse("preset: quick\ntargets: [freeway]\nsourceSets: [[asterix]]\nbudgets: [100, 2%, 1min, 0.5 min, 10_000]\nmethods: [idm-target]\nseeds: 1", "units");

        Assert.Equal([100, 500, 900, 450, 10_000], Assert.Single(definition.Parts).Budgets);
    }

    [Fact]
    public void A_share_resolves_against_the_target_dataset_the_overrides_give()
    {
        var definition = SweepYaml.Parse("preset: smoke\ntargets: [freeway]\nbudgets: [1%, 12min]\nmethods: [idm-target]\nseeds: 1\noverrides: {data.targetTransitions: 40000}", "share");

        Assert.Equal([400, 10_800], Assert.Single(definition.Parts).Budgets);
    }

    [Fact]
    public void A_source_may_be_a_variant_and_reaches_the_trial_as_that_variant()
    {
        var definition = SweepYaml.Parse("preset: smoke\ntargets: [breakout]\nsourceSets: [[freeway:hard, asterix]]\nbudgets: [100]\nmethods: [alpt]\nseeds: 1", "variants");

        var experiment = Assert.Single(SweepExpansion.Experiments(Assert.Single(definition.Parts)));
        var spec = TrialSpecs.Checked(experiment, 0);
        Assert.Equal([new GameRef("asterix", "standard"), new GameRef("freeway", "hard")], spec.Sources);
    }

    [Fact]
    public void Disjoint_actions_run_only_alpt_twice()
    {
        var definition = SweepYaml.Parse("preset: smoke\ntargets: [freeway]\nsourceSets: [[asterix]]\nbudgets: [100]\ndisjointActions: [false, true]\nseeds: 2", "disjoint");

        var experiments = SweepExpansion.Experiments(Assert.Single(definition.Parts));
        // labelled-only, idm-target, the oracle once each; alpt shared and disjoint.
        Assert.Equal(5, experiments.Count);
        Assert.Equal(10, definition.Trials);
        Assert.Equal([false, true], experiments.Where(e => e.Method == "alpt").Select(e => e.DisjointActions).Order());
        Assert.All(experiments.Where(e => e.Method != "alpt"), e => Assert.False(e.DisjointActions));
    }

    internal static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "ALPT.Grid.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("the repository root (ALPT.Grid.sln) is not above " + AppContext.BaseDirectory);
    }
}
