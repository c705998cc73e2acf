using Alpt.Grid.Abstractions.Catalogue;
using Alpt.Grid.Abstractions.Experiments;
using Alpt.Grid.Abstractions.Sweeps;

namespace Alpt.Grid.Grains.Tests;

public sealed class ExpansionTests
{
    [Fact]
    public void Methods_without_sources_are_expanded_once_and_alpt_once_per_source_set()
    {
        var spec = SpecFixtures.Small("x");
        var experiments = SweepExpansion.Experiments(spec);

        // alpt: 3 source sets × 2 budgets; labelled-only and idm-target: 1 × 2 budgets; the oracle: 1.
        Assert.Equal((3 * 2) + (2 * 2) + 1, experiments.Count);
        Assert.Equal(experiments.Count * 3, spec.TrialCount());
        Assert.All(experiments.Where(e => e.Method != "alpt"), e => Assert.Empty(e.Sources));
        Assert.Equal(experiments.Count, experiments.Select(e => e.Id).Distinct().Count());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(5)]
    public void The_oracle_is_one_experiment_with_every_label_whatever_the_number_of_budgets(int budgets)
    {
        var spec = SpecFixtures.Small("oracle") with { Budgets = [.. Enumerable.Range(1, budgets).Select(b => b * 100)] };
        var experiments = SweepExpansion.Experiments(spec);

        var oracle = Assert.Single(experiments, e => e.Method == "oracle");
        Assert.Equal(ExperimentConfig.AllLabels, oracle.Budget);
        Assert.True(oracle.UsesAllLabels);
        Assert.Equal("all", oracle.BudgetLabel);
        Assert.StartsWith("breakout-oracle-all-", oracle.Id, StringComparison.Ordinal);
        Assert.Contains("budget=all", oracle.ToString(), StringComparison.Ordinal);
        Assert.Empty(oracle.Sources);
        Assert.All(experiments.Where(e => e.Method != "oracle"), e => Assert.Contains(e.Budget, spec.Budgets));
        Assert.Equal((3 * budgets) + (2 * budgets) + 1, experiments.Count);
        Assert.Equal(experiments.Count * 3, spec.TrialCount());
    }

    [Fact]
    public void The_oracle_is_one_experiment_per_variant_and_eval_variant_and_never_disjoint()
    {
        var spec = SpecFixtures.Small("grid") with
        {
            Targets = ["breakout", "seaquest"],
            Variants = ["standard", "hard"],
            DisjointActions = [false, true],
            EvalVariants = ["", "hard"],
            SourceSets = [["freeway"]],
        };
        var experiments = SweepExpansion.Experiments(spec);

        var oracles = experiments.Where(e => e.Method == "oracle").ToList();
        Assert.Equal(2 * 2 * 2, oracles.Count);
        Assert.Equal(oracles.Count, oracles.Select(e => (e.Target, e.Variant, e.EvalVariant)).Distinct().Count());
        Assert.All(oracles, o => Assert.False(o.DisjointActions));
        // Per target × variant × eval variant: alpt × 2 budgets × 2 disjoint settings, labelled-only and idm-target × 2 budgets, the oracle.
        Assert.Equal(8 * ((2 * 2) + (2 * 2) + 1), experiments.Count);
        Assert.Equal(experiments.Count * 3, spec.TrialCount());
    }

    [Fact]
    public void Disjoint_actions_multiply_only_alpt()
    {
        var shared = SpecFixtures.Small("shared");
        var both = shared with { DisjointActions = [false, true] };
        var disjointOnly = shared with { DisjointActions = [true] };

        var sharedExperiments = SweepExpansion.Experiments(shared);
        var bothExperiments = SweepExpansion.Experiments(both);

        // alpt: 3 source sets × 2 budgets more; labelled-only, idm-target and the oracle are not re-run.
        Assert.Equal(sharedExperiments.Count + (3 * 2), bothExperiments.Count);
        Assert.Equal(bothExperiments.Count * 3, both.TrialCount());
        Assert.All(bothExperiments.Where(e => e.Method != "alpt"), e => Assert.False(e.DisjointActions));
        Assert.Equal(sharedExperiments.Where(e => e.Method != "alpt").Select(e => e.Id), bothExperiments.Where(e => e.Method != "alpt").Select(e => e.Id));
        // Disjoint alone: alpt disjoint, the others the same cells (and grains) as the shared sweep's.
        var disjointExperiments = SweepExpansion.Experiments(disjointOnly);
        Assert.All(disjointExperiments.Where(e => e.Method == "alpt"), e => Assert.True(e.DisjointActions));
        Assert.Equal(sharedExperiments.Where(e => e.Method != "alpt").Select(e => e.Id), disjointExperiments.Where(e => e.Method != "alpt").Select(e => e.Id));
        Assert.Equal(disjointExperiments.Count * 3, disjointOnly.TrialCount());
    }

    [Fact]
    public void An_oracle_only_sweep_needs_no_budgets_but_the_budgets_it_lists_are_still_checked()
    {
        var oracleOnly = SpecFixtures.Small("oracle-only") with { Methods = ["oracle"], Budgets = [] };
        Assert.Empty(SweepValidation.Problems(oracleOnly, GridCatalogue.Default));
        Assert.Equal(3, oracleOnly.TrialCount());
        Assert.Equal(ExperimentConfig.AllLabels, Assert.Single(SweepExpansion.Experiments(oracleOnly)).Budget);

        Assert.Contains("budget -5 must be > 0", SweepValidation.Problems(oracleOnly with { Budgets = [-5] }, GridCatalogue.Default));
        Assert.Contains("budgets: at least one annotation budget is needed", SweepValidation.Problems(oracleOnly with { Methods = ["oracle", "idm-target"] }, GridCatalogue.Default));
        Assert.Contains("budget 400 is larger than the target dataset (200 transitions of preset 'quick')", SweepValidation.Problems(oracleOnly with { Budgets = [400] }, GridCatalogue.Default with { MaxBudget = 200 }));
    }

    [Fact]
    public void Ids_are_deterministic_and_independent_of_source_order_and_override_order()
    {
        var a = SpecFixtures.Small("a") with { Overrides = new() { ["lr"] = "0.001", ["steps"] = "10" } };
        var b = SpecFixtures.Small("b") with
        {
            SourceSets = [[], ["freeway"], ["asterix", "freeway"]],
            Overrides = new() { ["steps"] = "10", ["lr"] = "0.001" },
        };

        Assert.Equal(SweepExpansion.Experiments(a).Select(e => e.Id), SweepExpansion.Experiments(b).Select(e => e.Id));
        Assert.Equal(SweepExpansion.Fingerprint(a), SweepExpansion.Fingerprint(b));
        var changed = a with { Overrides = new() { ["lr"] = "0.01", ["steps"] = "10" } };
        Assert.Empty(SweepExpansion.Experiments(changed).Select(e => e.Id).Intersect(SweepExpansion.Experiments(a).Select(e => e.Id)));
    }

    [Fact]
    public void A_valid_spec_has_no_problems()
    {
        Assert.Empty(SweepValidation.Problems(SpecFixtures.Small("ok"), GridCatalogue.Default));
        Assert.Empty(SweepValidation.Problems(SpecFixtures.Small("ok") with { Variants = ["standard", "hard"], SourceSets = [["freeway:hard", "asterix"]] }, GridCatalogue.Default));
    }

    [Theory]
    [InlineData("target", "target 'pong' is not a known game")]
    [InlineData("source-is-target", "contains the target 'breakout'")]
    [InlineData("duplicate-source", "lists a source twice")]
    [InlineData("zero-budget", "budget 0 must be > 0")]
    [InlineData("no-seeds", "at least one seed is needed")]
    [InlineData("method", "method 'bc' is not known")]
    [InlineData("variant", "variant 'nightmare' does not exist for 'breakout'")]
    [InlineData("source-variant", "variant 'easy' does not exist for 'freeway'")]
    [InlineData("source-twice-by-variant", "lists a source twice")]
    [InlineData("huge", "more than the limit of 100000")]
    [InlineData("attempts", "maxAttempts 0 must be between 1 and 100")]
    public void Bad_specs_are_rejected_with_the_problem_named(string fault, string expected)
    {
        var spec = SpecFixtures.Small("bad");
        spec = fault switch
        {
            "target" => spec with { Targets = ["pong"] },
            "source-is-target" => spec with { SourceSets = [["breakout", "freeway"]] },
            "duplicate-source" => spec with { SourceSets = [["freeway", "freeway"]] },
            "zero-budget" => spec with { Budgets = [0, 100] },
            "no-seeds" => spec with { Seeds = [] },
            "method" => spec with { Methods = ["bc"] },
            "variant" => spec with { Variants = ["nightmare"] },
            "source-variant" => spec with { SourceSets = [["freeway:easy"]] },
            "source-twice-by-variant" => spec with { SourceSets = [["freeway", "freeway:hard"]] },
            "huge" => spec with { Seeds = [.. Enumerable.Range(0, 20_000)] },
            "attempts" => spec with { MaxAttempts = 0 },
            _ => throw new ArgumentOutOfRangeException(nameof(fault)),
        };

        var error = Assert.Throws<InvalidSweepSpecException>(() => SweepValidation.ThrowIfInvalid(spec, GridCatalogue.Default));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_budget_beyond_the_dataset_is_rejected_when_the_catalogue_knows_the_size()
    {
        var catalogue = GridCatalogue.Default with { MaxBudget = 200 };
        var problems = SweepValidation.Problems(SpecFixtures.Small("b"), catalogue);
        Assert.Equal(["budget 400 is larger than the target dataset (200 transitions of preset 'quick')"], problems);
    }
}
