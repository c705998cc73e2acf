using System.Globalization;
using System.Text.Json;
using System.Xml.Linq;
using Alpt.Grid.Abstractions.Experiments;
using Alpt.Grid.Abstractions.Seeds;
using Alpt.Grid.Abstractions.Sweeps;
using Alpt.Grid.Abstractions.Trials;
using Alpt.Grid.Console.Sweeps;
using Spectre.Console.Testing;

namespace Alpt.Grid.Console.Tests;

/// <summary>The oracle (every label, no budget) in results and plots, from results made up in memory.</summary>
public sealed class SweepReportTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("alpt-report-").FullName;

    private readonly SweepReport report = SweepReport.Build("oracle-report", Summaries(new SweepSpec
    {
        Targets = ["freeway"],
        SourceSets = [["asterix"]],
        Budgets = [100, 400],
        Methods = ["labelled-only", "idm-target", "alpt", "oracle"],
        Seeds = [0, 1, 2],
        Preset = "smoke",
    }));

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public void The_oracle_is_one_row_with_budget_all_after_the_budgets_and_outside_the_comparisons()
    {
        Assert.Equal(7, report.Experiments.Count);
        var oracle = Assert.Single(report.Experiments, e => e.Method == "oracle");
        Assert.Null(oracle.Budget);
        Assert.True(oracle.AllLabels);
        Assert.Equal("all", oracle.BudgetLabel);
        Assert.Same(oracle, report.Experiments[^1]);
        Assert.All(report.Experiments.Where(e => e.Method != "oracle"), e => Assert.False(e.AllLabels));
        // Per budget: alpt vs idm-target (2 metrics) and vs labelled-only (1), idm-target and the oracle vs labelled-only (1 each).
        Assert.Equal(2 * 5, report.Comparisons.Count);
        Assert.Equal([100, 400], report.Comparisons.Select(c => c.Budget).Distinct().Order());
        Assert.Equal(2, report.Comparisons.Count(c => c.Method == "oracle" && c.Baseline == "labelled-only"));
    }

    [Fact]
    public void The_table_shows_the_oracle_with_budget_all()
    {
        var console = new TestConsole();
        console.Profile.Width = 200;

        SweepTables.Write(console, report);

        var rows = console.Output.Split('\n').Where(l => l.Contains("│ freeway", StringComparison.Ordinal))
            .Select(l => l.Split('│', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)).ToList();
        var oracle = Assert.Single(rows, r => r[3] == "oracle");
        Assert.Equal(["freeway", "none", "all", "oracle"], oracle[..4]);
    }

    [Fact]
    public void Csv_leaves_the_oracle_budget_empty_and_marks_it_all_labels()
    {
        var lines = report.ToCsv(comparisons: false).TrimEnd().Split('\n').Select(l => l.TrimEnd('\r').Split(',')).ToList();

        var header = lines[0];
        Assert.Equal(Array.IndexOf(header, "budget") + 1, Array.IndexOf(header, "all_labels"));
        int Column(string name) => Array.IndexOf(header, name);
        Assert.Equal(8, lines.Count);
        var oracle = Assert.Single(lines.Skip(1), r => r[Column("method")] == "oracle");
        Assert.Equal(("", "true"), (oracle[Column("budget")], oracle[Column("all_labels")]));
        Assert.Equal(0.9, double.Parse(oracle[Column("normalized_return_mean")], CultureInfo.InvariantCulture), 6);
        Assert.All(lines.Skip(1).Where(r => r[Column("method")] != "oracle"), r =>
        {
            Assert.Contains(int.Parse(r[Column("budget")], CultureInfo.InvariantCulture), new[] { 100, 400 });
            Assert.Equal("false", r[Column("all_labels")]);
        });
    }

    [Fact]
    public void Json_gives_the_oracle_a_null_budget_and_all_labels_true()
    {
        using var json = JsonDocument.Parse(report.ToJson());

        var experiments = json.RootElement.GetProperty("experiments").EnumerateArray().ToList();
        Assert.Equal(7, experiments.Count);
        var oracle = Assert.Single(experiments, e => e.GetProperty("method").GetString() == "oracle");
        Assert.Equal(JsonValueKind.Null, oracle.GetProperty("budget").ValueKind);
        Assert.True(oracle.GetProperty("allLabels").GetBoolean());
        Assert.All(experiments.Where(e => e.GetProperty("method").GetString() != "oracle"), e =>
        {
            Assert.Equal(JsonValueKind.Number, e.GetProperty("budget").ValueKind);
            Assert.False(e.GetProperty("allLabels").GetBoolean());
        });
    }

    [Fact]
    public void The_plot_draws_the_oracle_as_a_reference_and_keeps_only_the_real_budgets()
    {
        var png = Path.Combine(directory, "report.png");
        var svg = Path.Combine(directory, "report.svg");

        SweepPlot.Save(report, png);
        SweepPlot.Save(report, svg);

        var bytes = File.ReadAllBytes(png);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, bytes[..8]);
        var text = XDocument.Load(svg).Descendants().Where(e => e.Name.LocalName == "text").Select(e => e.Value.Trim()).ToList();
        Assert.Contains("oracle (all labels)", text);
        Assert.Contains("100", text);
        Assert.Contains("400", text);
        Assert.DoesNotContain(text, t => t is "all");
    }

    [Fact]
    public void A_sweep_of_the_oracle_alone_plots_without_budgets()
    {
        var oracleOnly = SweepReport.Build("oracle-only", Summaries(new SweepSpec { Targets = ["freeway"], Methods = ["oracle"], Seeds = [0, 1, 2], Preset = "smoke" }));
        var png = Path.Combine(directory, "oracle-only.png");

        SweepPlot.Save(oracleOnly, png);

        Assert.True(new FileInfo(png).Length > 1_000);
        Assert.Equal("all", Assert.Single(oracleOnly.Experiments).BudgetLabel);
    }

    [Fact]
    public void Budgets_show_in_transitions_and_minutes_in_the_table_csv_json_and_plot()
    {
        var console = new TestConsole();
        console.Profile.Width = 250;
        SweepTables.Write(console, report);
        var csv = report.ToCsv(comparisons: false).TrimEnd().Split('\n').Select(l => l.TrimEnd('\r').Split(',')).ToList();
        var comparisonsCsv = report.ToCsv(comparisons: true).TrimEnd().Split('\n').Select(l => l.TrimEnd('\r').Split(',')).ToList();
        using var json = JsonDocument.Parse(report.ToJson());
        var svg = Path.Combine(directory, "minutes.svg");
        SweepPlot.Save(report, svg);

        // 400 transitions at 15 per second: 26.7 s, 0.444 minutes.
        Assert.Contains("400 (0.444 min)", console.Output, StringComparison.Ordinal);
        var row = csv.Skip(1).First(r => r[Array.IndexOf(csv[0], "budget")] == "400");
        Assert.Equal(0.444444, double.Parse(row[Array.IndexOf(csv[0], "budget_minutes")], CultureInfo.InvariantCulture), 5);
        Assert.Equal("", csv.Skip(1).Single(r => r[Array.IndexOf(csv[0], "method")] == "oracle")[Array.IndexOf(csv[0], "budget_minutes")]);
        Assert.Contains(comparisonsCsv.Skip(1), r => r[Array.IndexOf(comparisonsCsv[0], "budget_minutes")] == "0.444444");
        var experiment = json.RootElement.GetProperty("experiments").EnumerateArray().First(e => e.GetProperty("budget").ValueKind == JsonValueKind.Number && e.GetProperty("budget").GetInt32() == 400);
        Assert.Equal(0.444444, experiment.GetProperty("budgetMinutes").GetDouble(), 5);
        Assert.Contains("0.444 min", File.ReadAllText(svg), StringComparison.Ordinal);
    }

    [Fact]
    public void Comparisons_are_paired_by_seed_with_a_t_interval_and_n_beside_welch()
    {
        // Seeds differ a lot (0.3 apart), alpt is 0.1 (± 0.01) above idm-target on each: only pairing sees it.
        double[] idm = [0.2, 0.5, 0.8];
        double[] alpt = [0.31, 0.59, 0.90];
        var summaries = new List<ExperimentSummary>
        {
            Summary("alpt", ["asterix"], 100, alpt),
            Summary("idm-target", [], 100, idm),
        };

        var comparison = Assert.Single(SweepReport.Build("paired", summaries).Comparisons, c => c.Metric == TrialMetrics.NormalizedReturn);

        var differences = alpt.Zip(idm, (a, b) => a - b).ToArray();
        var mean = differences.Average();
        var sd = Math.Sqrt(differences.Sum(d => (d - mean) * (d - mean)) / 2);
        // t(0.975, 2) = 4.302653.
        var half = 4.302653 * sd / Math.Sqrt(3);
        Assert.Equal(3, comparison.NPairs);
        Assert.Equal(mean, comparison.PairedDifference, 9);
        Assert.Equal(mean - half, comparison.PairedCiLow, 5);
        Assert.Equal(mean + half, comparison.PairedCiHigh, 5);
        Assert.True(comparison.PairedCiLow > 0, "the paired interval is clear of zero");
        Assert.True(comparison.CiLow < 0, "Welch's, blind to the pairing, spans zero");
        Assert.Equal((3, 3), (comparison.NMethod, comparison.NBaseline));
    }

    [Fact]
    public void Pairs_are_the_seeds_both_methods_succeeded_on()
    {
        var summaries = new List<ExperimentSummary>
        {
            Summary("alpt", ["asterix"], 100, [0.3, 0.6, 0.9, 0.4]),
            Summary("idm-target", [], 100, [0.2, 0.5, 0.8], failedSeed: 3),
        };

        var comparison = Assert.Single(SweepReport.Build("pairs", summaries).Comparisons, c => c.Metric == TrialMetrics.NormalizedReturn);

        Assert.Equal(3, comparison.NPairs);
        Assert.Equal(0.1, comparison.PairedDifference, 9);
        Assert.Equal((4, 3), (comparison.NMethod, comparison.NBaseline));
    }

    [Fact]
    public void Comparison_rows_name_the_eval_variant_and_disjoint_actions_that_tell_them_apart()
    {
        var spec = new SweepSpec
        {
            Targets = ["freeway"],
            SourceSets = [["asterix"]],
            Budgets = [100],
            Methods = ["idm-target", "alpt"],
            DisjointActions = [false, true],
            EvalVariants = ["", "hard"],
            Seeds = [0, 1, 2],
            Preset = "smoke",
        };
        var grid = SweepReport.Build("dimensions", Summaries(spec));
        var console = new TestConsole();
        console.Profile.Width = 250;

        SweepTables.Write(console, grid);

        // alpt shared and disjoint, each in two eval variants, against the one idm-target of its eval variant; and
        // alpt disjoint against alpt shared in each eval variant.
        var comparisons = grid.Comparisons.Where(c => c.Metric == TrialMetrics.IdmAccuracy && c.Baseline == "idm-target").ToList();
        Assert.Equal(4, comparisons.Count);
        Assert.Equal(4, comparisons.Select(c => (c.DisjointActions, c.EvalVariant)).Distinct().Count());
        var table = console.Output.Split('\n').Where(l => l.Contains("IDM acc.", StringComparison.Ordinal)).ToList();
        Assert.Equal(6, table.Count);
        Assert.Equal(6, table.Distinct(StringComparer.Ordinal).Count());
        Assert.Contains(table, l => l.Contains("freeway disjoint eval:hard", StringComparison.Ordinal));
        var csv = grid.ToCsv(comparisons: true).TrimEnd().Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        Assert.StartsWith("target,variant,disjoint_actions,eval_variant,budget,budget_minutes,method,sources,baseline,metric,n_pairs,paired_difference,paired_ci_low,paired_ci_high", csv[0], StringComparison.Ordinal);
        Assert.Equal(csv.Count, csv.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void Disjoint_actions_are_compared_with_the_same_alpt_run_on_shared_actions_paired_by_seed()
    {
        var spec = new SweepSpec
        {
            Targets = ["freeway"],
            SourceSets = [["asterix"], ["breakout"]],
            Budgets = [100],
            Methods = ["idm-target", "alpt"],
            DisjointActions = [false, true],
            Seeds = [0, 1, 2],
            Preset = "smoke",
        };
        // Disjoint action ids cost each seed 0.1, 0.2, 0.3 of IDM accuracy against the shared run of the same sources.
        var summaries = Summaries(spec).Select(s => s.Config.DisjointActions
            ? s with { Seeds = [.. s.Seeds.Select(r => r with { Metrics = new Dictionary<string, double>(r.Metrics!) { [TrialMetrics.IdmAccuracy] = r.Metrics![TrialMetrics.IdmAccuracy] - (0.1 * (r.Seed + 1)) } })] }
            : s).ToList();

        var comparisons = SweepReport.Build("disjoint", summaries).Comparisons.Where(c => c.Baseline == SweepReport.SharedActionsBaseline).ToList();

        // One per source set and metric, each against its own source set's shared run.
        Assert.Equal(4, comparisons.Count);
        Assert.All(comparisons, c => Assert.True(c.DisjointActions));
        Assert.Equal(["asterix", "breakout"], comparisons.Select(c => c.Sources).Distinct().Order(StringComparer.Ordinal));
        var accuracy = comparisons.First(c => c.Metric == TrialMetrics.IdmAccuracy);
        Assert.Equal((3, -0.2), (accuracy.NPairs, Math.Round(accuracy.PairedDifference, 10)));
        Assert.True(accuracy.PairedCiLow < -0.2 && accuracy.PairedCiHigh > -0.2);
        Assert.Equal(0, comparisons.First(c => c.Metric == TrialMetrics.NormalizedReturn).PairedDifference, 10);
    }

    private static ExperimentSummary Summary(string method, string[] sources, int budget, double[] normalizedReturns, int? failedSeed = null)
    {
        var config = new ExperimentConfig
        {
            Target = "freeway",
            Variant = "standard",
            Sources = sources,
            Budget = budget,
            Method = method,
            Preset = "smoke",
            Overrides = [],
            DisjointActions = false,
            EvalVariant = "",
        };
        var seeds = normalizedReturns.Select((value, seed) => new SeedRecord(seed, SeedState.Succeeded, 1, new Dictionary<string, double>(StringComparer.Ordinal)
        {
            [TrialMetrics.NormalizedReturn] = value,
            [TrialMetrics.IdmAccuracy] = value,
        }, null, "w/0")).ToList();
        if (failedSeed is { } failed)
        {
            seeds.Add(new SeedRecord(failed, SeedState.Failed, 3, null, "boom", "w/0"));
        }

        return new ExperimentSummary(config.Id, config, StateCounts.Zero with { Succeeded = normalizedReturns.Length }, [.. seeds], []);
    }

    /// <summary>Every experiment of the spec with three succeeded seeds and made-up metrics (the oracle best).</summary>
    [Fact]
    public void The_page_of_a_running_sweep_says_so_and_shows_only_what_finished()
    {
        var spec = new SweepSpec
        {
            Name = "half-done",
            Targets = ["freeway"],
            SourceSets = [["asterix"]],
            Budgets = [100],
            Methods = ["labelled-only", "alpt"],
            Seeds = [0, 1, 2],
            Preset = "smoke",
        };
        // alpt's seed 2 still runs; labelled-only's seed 1 failed with an error that must not become markup.
        var summaries = Summaries(spec).Select(s => s.Config.Method == "alpt"
            ? s with { Seeds = [.. s.Seeds.Select(r => r.Seed == 2 ? new SeedRecord(2, SeedState.Running, 1, null, null, "w/1") : r)] }
            : s with { Seeds = [.. s.Seeds.Select(r => r.Seed == 1 ? new SeedRecord(1, SeedState.Failed, 3, null, "boom <script>alert(1)</script>", "w/0") : r)] }).ToList();
        var running = SweepReport.Build("half-done", summaries);
        var curves = summaries.ToDictionary(s => s.Id, s => s.Seeds.Where(r => r.State == SeedState.Succeeded).Select(r => new SeedCurves(r.Seed,
            [new TrialCurve("policy", TrialCurves.Loss, [10, 20, 30], [1.0 + r.Seed, 0.8, 0.5])])).ToArray());
        var status = new SweepStatus("half-done", SweepState.Running, StateCounts.Zero with { Succeeded = 4, Failed = 1, Running = 1 }, 2, DateTimeOffset.UnixEpoch, null, []);
        var drawn = new List<(int Done, int Total)>();

        var page = SweepReportPage.Build(
            new SweepReportInput(running, status, [spec], SweepCurves.Aggregate(running, curves), DateTimeOffset.UnixEpoch),
            new SyncProgress<(int, int)>(drawn.Add));

        Assert.Contains("<title>ALPT sweep half-done — report</title>", page, StringComparison.Ordinal);
        Assert.Contains("id=\"in-progress\"", page, StringComparison.Ordinal);
        Assert.Contains("5 of 6 trials finished", page, StringComparison.Ordinal);
        Assert.Contains("running: 1", page, StringComparison.Ordinal);
        Assert.Contains("boom &lt;script&gt;alert(1)&lt;/script&gt;", page, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", page, StringComparison.OrdinalIgnoreCase);
        // Two budget panels and one curve panel, each an embedded PNG; nothing fetched from anywhere.
        var images = System.Text.RegularExpressions.Regex.Matches(page, "<img src=\"([^\"]*)\"");
        Assert.Equal(3, images.Count);
        Assert.All(images, m => Assert.StartsWith("data:image/png;base64,", m.Groups[1].Value, StringComparison.Ordinal));
        Assert.DoesNotMatch("(src|href)=\"(https?:)?//", page);
        Assert.Equal([(1, 3), (2, 3), (3, 3)], drawn);
    }

    [Fact]
    public void Curves_are_averaged_per_step_over_seeds_and_filters_name_what_there_is()
    {
        var curves = report.Experiments.ToDictionary(e => e.Experiment, e => new[]
        {
            new SeedCurves(0, [new TrialCurve("policy", TrialCurves.Loss, [10, 20], [1.0, 0.5])]),
            new SeedCurves(1, [new TrialCurve("policy", TrialCurves.Loss, [10, 20], [3.0, 0.5])]),
        });

        var aggregated = SweepCurves.Aggregate(report, curves);

        Assert.Equal(7, aggregated.Count);
        var first = aggregated[0];
        Assert.Equal([10, 20], first.Points.Select(p => p.Step));
        Assert.Equal((2, 2.0), (first.Points[0].Value.N, first.Points[0].Value.Mean));
        Assert.Equal(0, first.Points[1].Value.Std);
        Assert.Equal(2, SweepCurves.Select(aggregated, ["freeway-alpt"], ["policy"]).Count);
        var phase = Assert.Throws<ArgumentException>(() => SweepCurves.Select(aggregated, [], ["idm"]));
        Assert.Contains("--phase 'idm' is not a phase with curves (phases: policy)", phase.Message, StringComparison.Ordinal);
        var experiment = Assert.Throws<ArgumentException>(() => SweepCurves.Select(aggregated, ["breakout-"], []));
        Assert.Contains("--experiment 'breakout-' matches no experiment", experiment.Message, StringComparison.Ordinal);
        // Two budgets, the oracle drawn in each: a panel per budget.
        Assert.Equal(2, SweepCurves.Panels(report, aggregated).Count);
    }

    private sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }

    private static List<ExperimentSummary> Summaries(SweepSpec spec) =>
        [.. SweepExpansion.Experiments(spec).Select(config => new ExperimentSummary(
            config.Id,
            config,
            StateCounts.Zero with { Succeeded = spec.Seeds.Length },
            [.. spec.Seeds.Select(seed => new SeedRecord(seed, SeedState.Succeeded, 1, Metrics(config, seed), null, "w/0"))],
            []))];

    private static Dictionary<string, double> Metrics(ExperimentConfig config, int seed)
    {
        var noise = (seed - 1) * 0.02;
        var metrics = new Dictionary<string, double>(StringComparer.Ordinal)
        {
            [TrialMetrics.NormalizedReturn] = (config.UsesAllLabels ? 0.9 : config.Budget / 1000.0) + noise,
            [TrialMetrics.Return] = 10 + seed,
        };
        if (config.Method is "alpt" or "idm-target")
        {
            metrics[TrialMetrics.IdmAccuracy] = 0.5 + (config.Budget / 1000.0) + noise;
        }

        return metrics;
    }
}
