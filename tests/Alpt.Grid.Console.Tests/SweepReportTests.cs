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
        // Per budget: alpt vs idm-target (2 metrics) and vs labelled-only (1).
        Assert.Equal(2 * 3, report.Comparisons.Count);
        Assert.Equal([100, 400], report.Comparisons.Select(c => c.Budget).Distinct().Order());
    }

    [Fact]
    public void The_table_shows_the_oracle_with_budget_all()
    {
        var console = new TestConsole();
        console.Profile.Width = 200;

        SweepTables.Write(console, report);

        var rows = console.Output.Split('\n').Where(l => l.Contains("│ freeway", StringComparison.Ordinal)).ToList();
        var oracle = Assert.Single(rows, r => r.Contains("oracle", StringComparison.Ordinal));
        Assert.Equal(["freeway", "none", "all", "oracle"], oracle.Split('│', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)[..4]);
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

    /// <summary>Every experiment of the spec with three succeeded seeds and made-up metrics (the oracle best).</summary>
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
