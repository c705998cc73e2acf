using System.Globalization;
using System.Text;
using Alpt.Grid.Abstractions.Experiments;
using Alpt.Grid.Abstractions.Seeds;
using Alpt.Grid.Abstractions.Trials;
using Alpt.Grid.Grains.Aggregation;
using Alpt.Environments.Core;

namespace Alpt.Grid.Console.Sweeps;

/// <summary>A metric over seeds: mean, sample std and the 95% Student-t interval (NaN where undefined).</summary>
public sealed record Estimate(int N, double Mean, double Std, double CiLow, double CiHigh)
{
    public static Estimate? Of(IReadOnlyList<double> values)
    {
        if (values.Count == 0)
        {
            return null;
        }

        var s = MetricStatistics.Summarize("", values);
        return new Estimate(s.N, s.Mean, s.Std, s.CiLow, s.CiHigh);
    }
}

/// <summary>One experiment of a sweep, aggregated over its seeds.</summary>
/// <param name="Budget">The annotation budget; null when the method trains on every true label (the oracle):
/// "all" in the table, an empty cell in CSV (with <c>all_labels</c> true), null in JSON (with <c>allLabels</c> true).</param>
public sealed record ExperimentRow(
    string Experiment,
    string Target,
    string Variant,
    string Sources,
    int? Budget,
    string Method,
    bool DisjointActions,
    string EvalVariant,
    int Seeds,
    int Succeeded,
    int Failed,
    Estimate? IdmAccuracy,
    Estimate? NormalizedReturn,
    Estimate? Return)
{
    /// <summary>The series this experiment belongs to in a plot: method, plus the source set for alpt.</summary>
    public string Series => Method == "alpt" ? $"alpt [{Sources}]" : Method;

    /// <summary>Whether the experiment trains on every true label (no budget): a reference, not a point per budget.</summary>
    public bool AllLabels => Budget is null;

    /// <summary>The budget as the table shows it: its number, or "all".</summary>
    public string BudgetLabel => Budget is { } b ? b.ToString(CultureInfo.InvariantCulture) : "all";
}

/// <summary>
/// alpt minus a baseline at one budget: the difference of means and its 95% Welch interval (unequal
/// variances; Welch–Satterthwaite degrees of freedom).
/// </summary>
public sealed record Comparison(
    string Target,
    string Variant,
    int Budget,
    string Sources,
    string Baseline,
    string Metric,
    int NAlpt,
    int NBaseline,
    double Difference,
    double CiLow,
    double CiHigh);

/// <summary>One trial's record: its terminal state, attempts and metrics (or error).</summary>
public sealed record TrialRecord(string Trial, string Experiment, int Seed, string State, int Attempts, string? Worker, string? Error, IReadOnlyDictionary<string, double>? Metrics);

/// <summary>The results of a sweep: a row per experiment, the comparisons that matter, and every trial.</summary>
public sealed record SweepReport(string SweepId, IReadOnlyList<ExperimentRow> Experiments, IReadOnlyList<Comparison> Comparisons, IReadOnlyList<TrialRecord> Trials)
{
    public static readonly string[] Baselines = ["idm-target", "labelled-only"];

    public static SweepReport Build(string sweepId, IReadOnlyList<ExperimentSummary> summaries)
    {
        ArgumentNullException.ThrowIfNull(summaries);
        var rows = new List<(ExperimentRow Row, ExperimentSummary Summary)>();
        foreach (var s in summaries)
        {
            var c = s.Config;
            var ok = s.Seeds.Where(r => r.State == SeedState.Succeeded && r.Metrics is not null).ToList();
            rows.Add((new ExperimentRow(
                s.Id, c.Target, c.Variant, SourcesLabel(c.Target, c.Sources), c.UsesAllLabels ? null : c.Budget, c.Method, c.DisjointActions, c.EvalVariant,
                s.Seeds.Length, ok.Count, s.Seeds.Count(r => r.State == SeedState.Failed),
                Estimate.Of(Values(ok, TrialMetrics.IdmAccuracy)),
                Estimate.Of(Values(ok, TrialMetrics.NormalizedReturn)),
                Estimate.Of(Values(ok, TrialMetrics.Return))), s));
        }

        var ordered = rows
            .OrderBy(r => r.Row.Target, StringComparer.Ordinal).ThenBy(r => r.Row.Variant, StringComparer.Ordinal)
            .ThenBy(r => r.Row.DisjointActions).ThenBy(r => r.Row.EvalVariant, StringComparer.Ordinal)
            .ThenBy(r => r.Row.Budget ?? int.MaxValue).ThenBy(r => MethodOrder(r.Row.Method)).ThenBy(r => r.Row.Sources, StringComparer.Ordinal)
            .ToList();

        var comparisons = new List<Comparison>();
        foreach (var group in ordered.GroupBy(r => (r.Row.Target, r.Row.Variant, r.Row.DisjointActions, r.Row.EvalVariant, r.Row.Budget)))
        {
            if (group.Key.Budget is not { } budget)
            {
                continue;
            }

            foreach (var alpt in group.Where(r => r.Row.Method == "alpt"))
            {
                foreach (var baselineName in Baselines)
                {
                    if (group.FirstOrDefault(r => r.Row.Method == baselineName) is not { Summary: not null } baseline)
                    {
                        continue;
                    }

                    var metrics = baselineName == "idm-target" ? new[] { TrialMetrics.IdmAccuracy, TrialMetrics.NormalizedReturn } : [TrialMetrics.NormalizedReturn];
                    foreach (var metric in metrics)
                    {
                        var a = Values(Succeeded(alpt.Summary), metric);
                        var b = Values(Succeeded(baseline.Summary), metric);
                        if (a.Count == 0 || b.Count == 0)
                        {
                            continue;
                        }

                        var (diff, low, high) = Welch(a, b);
                        comparisons.Add(new Comparison(group.Key.Target, group.Key.Variant, budget, alpt.Row.Sources, baselineName, metric, a.Count, b.Count, diff, low, high));
                    }
                }
            }
        }

        var trials = ordered.SelectMany(r => r.Summary.Seeds.Select(seed => new TrialRecord(
            Abstractions.Sweeps.SweepExpansion.SeedId(r.Summary.Id, seed.Seed), r.Summary.Id, seed.Seed, seed.State.ToString().ToLowerInvariant(), seed.Attempts, seed.Worker, seed.Error, seed.Metrics)));
        return new SweepReport(sweepId, [.. ordered.Select(r => r.Row)], comparisons, [.. trials]);
    }

    /// <summary>Difference of means (a − b) and its 95% Welch interval; NaN bounds when either side has one value.</summary>
    public static (double Difference, double Low, double High) Welch(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var diff = a.Average() - b.Average();
        if (a.Count < 2 || b.Count < 2)
        {
            return (diff, double.NaN, double.NaN);
        }

        var va = Variance(a) / a.Count;
        var vb = Variance(b) / b.Count;
        var se = Math.Sqrt(va + vb);
        if (se == 0)
        {
            return (diff, diff, diff);
        }

        var df = (va + vb) * (va + vb) / ((va * va / (a.Count - 1)) + (vb * vb / (b.Count - 1)));
        // t is tabulated for whole degrees of freedom: rounding down keeps the interval conservative.
        var t = MetricStatistics.StudentT975(Math.Max(1, (int)Math.Floor(df)));
        return (diff, diff - (t * se), diff + (t * se));
    }

    /// <summary>
    /// The whole report as JSON (camelCase): experiments, comparisons and trials. The oracle's row has
    /// <c>"budget": null</c> and <c>"allLabels": true</c>.
    /// </summary>
    public string ToJson() => System.Text.Json.JsonSerializer.Serialize(this, JsonOptions) + Environment.NewLine;

    public string ToCsv(bool comparisons)
    {
        var csv = new StringBuilder();
        if (!comparisons)
        {
            // budget is empty for the oracle, which trains on every true label (all_labels = true).
            csv.AppendLine("target,variant,sources,budget,all_labels,method,disjoint_actions,eval_variant,seeds,succeeded,failed," +
                "idm_accuracy_mean,idm_accuracy_std,idm_accuracy_ci_low,idm_accuracy_ci_high," +
                "normalized_return_mean,normalized_return_std,normalized_return_ci_low,normalized_return_ci_high," +
                "return_mean,return_std,experiment");
            foreach (var r in Experiments)
            {
                csv.AppendLine(string.Join(',',
                    Cell(r.Target), Cell(r.Variant), Cell(r.Sources), r.Budget is { } b ? N(b) : "", r.AllLabels ? "true" : "false", Cell(r.Method), r.DisjointActions ? "true" : "false", Cell(r.EvalVariant),
                    N(r.Seeds), N(r.Succeeded), N(r.Failed), Est(r.IdmAccuracy), Est(r.NormalizedReturn), F(r.Return?.Mean), F(r.Return?.Std), Cell(r.Experiment)));
            }
        }
        else
        {
            csv.AppendLine("target,variant,budget,sources,baseline,metric,n_alpt,n_baseline,difference,ci_low,ci_high");
            foreach (var c in Comparisons)
            {
                csv.AppendLine(string.Join(',', Cell(c.Target), Cell(c.Variant), N(c.Budget), Cell(c.Sources), Cell(c.Baseline), Cell(c.Metric),
                    N(c.NAlpt), N(c.NBaseline), F(c.Difference), F(c.CiLow), F(c.CiHigh)));
            }
        }

        return csv.ToString();

        static string Est(Estimate? e) => string.Join(',', F(e?.Mean), F(e?.Std), F(e?.CiLow), F(e?.CiHigh));
    }

    /// <summary>"—" for none, "all others" when every other game is a source, else the games joined by '+'.</summary>
    public static string SourcesLabel(string target, IReadOnlyList<string> sources)
    {
        ArgumentNullException.ThrowIfNull(sources);
        if (sources.Count == 0)
        {
            return "none";
        }

        var others = GameCatalogue.Names.Where(n => n != target).Order(StringComparer.Ordinal);
        return sources.Count > 1 && sources.Order(StringComparer.Ordinal).SequenceEqual(others) ? "all others" : string.Join('+', sources);
    }

    public static int MethodOrder(string method) => method switch
    {
        "labelled-only" => 0,
        "idm-target" => 1,
        "alpt" => 2,
        "oracle" => 3,
        _ => 4,
    };

    private static List<SeedRecord> Succeeded(ExperimentSummary s) => [.. s.Seeds.Where(r => r.State == SeedState.Succeeded && r.Metrics is not null)];

    private static List<double> Values(IEnumerable<SeedRecord> records, string metric) =>
        [.. records.Where(r => r.Metrics!.ContainsKey(metric)).Select(r => r.Metrics![metric])];

    private static double Variance(IReadOnlyList<double> values)
    {
        var mean = values.Average();
        return values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1);
    }

    /// <summary>NaN (no spread with one seed) is written as a named literal rather than failing the whole report.</summary>
    private static readonly System.Text.Json.JsonSerializerOptions JsonOptions = new(ConsoleOutput.Json)
    {
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    private static string N(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string F(double? value) => value is { } v && double.IsFinite(v) ? v.ToString("G6", CultureInfo.InvariantCulture) : "";

    private static string Cell(string text) => text.Contains(',', StringComparison.Ordinal) || text.Contains('"', StringComparison.Ordinal)
        ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
        : text;
}
