using System.Globalization;
using System.Text;
using Alpt.Grid.Abstractions.Experiments;
using Alpt.Grid.Abstractions.Seeds;
using Alpt.Grid.Abstractions.Trials;
using Alpt.Grid.Grains.Aggregation;
using Alpt.Environments.Core;
using Alpt.Learning.Trials;

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
    /// <summary>The series this experiment belongs to in a plot: method, plus the source set for alpt, plus "disjoint".</summary>
    public string Series => (Method == "alpt" ? $"alpt [{Sources}]" : Method) + (DisjointActions ? " disjoint" : "");

    /// <summary>Whether the experiment trains on every true label (no budget): a reference, not a point per budget.</summary>
    public bool AllLabels => Budget is null;

    /// <summary>The budget as the table shows it: its number, or "all".</summary>
    public string BudgetLabel => Budget is { } b ? b.ToString(CultureInfo.InvariantCulture) : "all";

    /// <summary>The budget in minutes of play (15 transitions per second); null for the oracle.</summary>
    public double? BudgetMinutes => Budget is { } b ? AnnotationBudget.MinutesOf(b) : null;

    /// <summary>Target, variant, disjoint actions and eval variant as one label: what tells two settings apart.</summary>
    public string Setting => SweepReport.SettingLabel(Target, Variant, DisjointActions, EvalVariant);
}

/// <summary>
/// A method minus a baseline at one budget, run on the same seeds: the mean of the per-seed differences
/// with its 95% t interval over <see cref="NPairs"/> pairs (the design shares annotation split, evaluation
/// episodes and datasets between methods with the same seed), and, alongside, the difference of means
/// with its 95% Welch interval (independent samples; Welch–Satterthwaite degrees of freedom).
/// </summary>
/// <param name="DisjointActions">Whether the method's sources had disjoint action ids (the baseline, which has no sources, is the same either way).</param>
/// <param name="EvalVariant">The variant both were evaluated in; empty for the training variant.</param>
/// <param name="Budget">The baseline's budget (the oracle, which sees every label, is compared at each).</param>
public sealed record Comparison(
    string Target,
    string Variant,
    bool DisjointActions,
    string EvalVariant,
    int Budget,
    string Method,
    string Sources,
    string Baseline,
    string Metric,
    int NMethod,
    int NBaseline,
    double Difference,
    double CiLow,
    double CiHigh,
    int NPairs,
    double PairedDifference,
    double PairedCiLow,
    double PairedCiHigh)
{
    public double BudgetMinutes => AnnotationBudget.MinutesOf(Budget);

    public string Setting => SweepReport.SettingLabel(Target, Variant, DisjointActions, EvalVariant);
}

/// <summary>One trial's record: its terminal state, attempts and metrics (or error); its stored curves when asked for.</summary>
public sealed record TrialRecord(
    string Trial,
    string Experiment,
    int Seed,
    string State,
    int Attempts,
    string? Worker,
    string? Error,
    IReadOnlyDictionary<string, double>? Metrics,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<TrialCurve>? Curves = null);

/// <summary>Which differences a report shows: a method, the baseline it is measured against, and on which metrics.</summary>
public sealed record ComparisonKind(string Method, string Baseline, IReadOnlyList<string> Metrics);

/// <summary>The results of a sweep: a row per experiment, the comparisons that matter, and every trial.</summary>
public sealed record SweepReport(string SweepId, IReadOnlyList<ExperimentRow> Experiments, IReadOnlyList<Comparison> Comparisons, IReadOnlyList<TrialRecord> Trials)
{
    /// <summary>
    /// ALPT against each baseline (IDM accuracy only where both label with an IDM), the target-only IDM
    /// against no IDM, and the oracle against labelled-only (are returns limited by labels at all?).
    /// </summary>
    public static IReadOnlyList<ComparisonKind> Kinds { get; } =
    [
        new("alpt", "idm-target", [TrialMetrics.IdmAccuracy, TrialMetrics.NormalizedReturn]),
        new("alpt", "labelled-only", [TrialMetrics.NormalizedReturn]),
        new("idm-target", "labelled-only", [TrialMetrics.NormalizedReturn]),
        new("oracle", "labelled-only", [TrialMetrics.NormalizedReturn]),
    ];

    /// <summary>The baseline of a disjoint-actions alpt run: the same alpt run with action ids shared between games.</summary>
    public const string SharedActionsBaseline = "alpt, shared actions";

    public static SweepReport Build(string sweepId, IReadOnlyList<ExperimentSummary> summaries)
    {
        ArgumentNullException.ThrowIfNull(summaries);
        var rows = new List<(ExperimentRow Row, ExperimentSummary Summary)>();
        foreach (var s in summaries)
        {
            var c = s.Config;
            var ok = Succeeded(s);
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
        foreach (var kind in Kinds)
        {
            foreach (var method in ordered.Where(r => r.Row.Method == kind.Method))
            {
                // The baseline ran on the same target, variant and eval variant; with the method's own disjoint
                // setting where it has one, else shared (a method without sources runs once, shared).
                var candidates = ordered.Where(r => r.Row.Method == kind.Baseline && r.Row.Target == method.Row.Target && r.Row.Variant == method.Row.Variant
                    && r.Row.EvalVariant == method.Row.EvalVariant && r.Row.Budget is not null && (method.Row.Budget is null || r.Row.Budget == method.Row.Budget)).ToList();
                foreach (var budget in candidates.Select(r => r.Row.Budget!.Value).Distinct())
                {
                    var atBudget = candidates.Where(r => r.Row.Budget == budget).ToList();
                    if ((atBudget.FirstOrDefault(r => r.Row.DisjointActions == method.Row.DisjointActions).Summary
                        ?? atBudget.FirstOrDefault(r => !r.Row.DisjointActions).Summary) is not { } baseline)
                    {
                        continue;
                    }

                    foreach (var metric in kind.Metrics)
                    {
                        if (Compare(method.Row, method.Summary, baseline, kind.Baseline, budget, metric) is { } comparison)
                        {
                            comparisons.Add(comparison);
                        }
                    }
                }
            }
        }

        // Claim 3: each alpt run whose games have disjoint action ids against the same run (target, sources, budget,
        // eval variant, seeds) with shared ones: what sharing the action ids is worth.
        foreach (var method in ordered.Where(r => r.Row.Method == "alpt" && r.Row.DisjointActions && r.Row.Budget is not null))
        {
            var shared = ordered.FirstOrDefault(r => r.Row.Method == "alpt" && !r.Row.DisjointActions && r.Row.Target == method.Row.Target
                && r.Row.Variant == method.Row.Variant && r.Row.EvalVariant == method.Row.EvalVariant && r.Row.Budget == method.Row.Budget
                && r.Row.Sources == method.Row.Sources).Summary;
            if (shared is null)
            {
                continue;
            }

            foreach (var metric in (string[])[TrialMetrics.IdmAccuracy, TrialMetrics.NormalizedReturn])
            {
                if (Compare(method.Row, method.Summary, shared, SharedActionsBaseline, method.Row.Budget!.Value, metric) is { } comparison)
                {
                    comparisons.Add(comparison);
                }
            }
        }

        var kinds = Kinds.ToList();
        comparisons = [.. comparisons
            .OrderBy(c => c.Target, StringComparer.Ordinal).ThenBy(c => c.Variant, StringComparer.Ordinal)
            .ThenBy(c => c.DisjointActions).ThenBy(c => c.EvalVariant, StringComparer.Ordinal).ThenBy(c => c.Budget)
            .ThenBy(c => c.Baseline == SharedActionsBaseline ? kinds.Count : kinds.FindIndex(k => k.Method == c.Method && k.Baseline == c.Baseline)).ThenBy(c => c.Sources, StringComparer.Ordinal)
            .ThenBy(c => c.Metric, StringComparer.Ordinal)];

        var trials = ordered.SelectMany(r => r.Summary.Seeds.Select(seed => new TrialRecord(
            Abstractions.Sweeps.SweepExpansion.SeedId(r.Summary.Id, seed.Seed), r.Summary.Id, seed.Seed, seed.State.ToString().ToLowerInvariant(), seed.Attempts, seed.Worker, seed.Error, seed.Metrics)));
        return new SweepReport(sweepId, [.. ordered.Select(r => r.Row)], comparisons, [.. trials]);
    }

    /// <summary>The report with each succeeded trial's stored curves (experiment id → seeds' curves) in its record.</summary>
    public SweepReport WithCurves(IReadOnlyDictionary<string, SeedCurves[]> curves)
    {
        ArgumentNullException.ThrowIfNull(curves);
        return this with
        {
            Trials = [.. Trials.Select(t => curves.TryGetValue(t.Experiment, out var seeds) && seeds.FirstOrDefault(s => s.Seed == t.Seed) is { } stored
                ? t with { Curves = stored.Curves }
                : t)],
        };
    }

    /// <summary>The method's row minus the baseline on one metric: paired over the seeds both succeeded on, and Welch's over all.</summary>
    private static Comparison? Compare(ExperimentRow method, ExperimentSummary methodSummary, ExperimentSummary baseline, string baselineName, int budget, string metric)
    {
        var a = ValuesBySeed(Succeeded(methodSummary), metric);
        var b = ValuesBySeed(Succeeded(baseline), metric);
        if (a.Count == 0 || b.Count == 0)
        {
            return null;
        }

        var welch = MetricStatistics.Welch([.. a.Values], [.. b.Values]);
        var seeds = a.Keys.Where(b.ContainsKey).Order().ToList();
        var paired = seeds.Count > 0
            ? MetricStatistics.Paired([.. seeds.Select(s => a[s])], [.. seeds.Select(s => b[s])])
            : new MeanDifference(0, double.NaN, double.NaN, double.NaN);
        return new Comparison(
            method.Target, method.Variant, method.DisjointActions, method.EvalVariant, budget, method.Method, method.Sources, baselineName, metric,
            a.Count, b.Count, welch.Difference, welch.Low, welch.High, paired.N, paired.Difference, paired.Low, paired.High);
    }

    /// <summary>Difference of means (a − b) and its 95% Welch interval; NaN bounds when either side has one value.</summary>
    public static (double Difference, double Low, double High) Welch(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        var welch = MetricStatistics.Welch(a, b);
        return (welch.Difference, welch.Low, welch.High);
    }

    /// <summary>
    /// What tells two settings apart, as tables and plot titles show it: the target, its variant unless the
    /// default, "disjoint" when sources had disjoint action ids, "eval:variant" when evaluated elsewhere.
    /// </summary>
    public static string SettingLabel(string target, string variant, bool disjointActions, string evalVariant) =>
        target + (variant is Abstractions.Catalogue.GridCatalogue.DefaultVariant or "default" ? "" : ":" + variant) +
        (disjointActions ? " disjoint" : "") + (evalVariant.Length > 0 ? $" eval:{evalVariant}" : "");

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
            // budget is empty for the oracle, which trains on every true label (all_labels = true); budget_minutes at 15 transitions/s.
            csv.AppendLine("target,variant,sources,budget,all_labels,budget_minutes,method,disjoint_actions,eval_variant,seeds,succeeded,failed," +
                "idm_accuracy_mean,idm_accuracy_std,idm_accuracy_ci_low,idm_accuracy_ci_high," +
                "normalized_return_mean,normalized_return_std,normalized_return_ci_low,normalized_return_ci_high," +
                "return_mean,return_std,experiment");
            foreach (var r in Experiments)
            {
                csv.AppendLine(string.Join(',',
                    Cell(r.Target), Cell(r.Variant), Cell(r.Sources), r.Budget is { } b ? N(b) : "", r.AllLabels ? "true" : "false", F(r.BudgetMinutes), Cell(r.Method), r.DisjointActions ? "true" : "false", Cell(r.EvalVariant),
                    N(r.Seeds), N(r.Succeeded), N(r.Failed), Est(r.IdmAccuracy), Est(r.NormalizedReturn), F(r.Return?.Mean), F(r.Return?.Std), Cell(r.Experiment)));
            }
        }
        else
        {
            // Paired by seed first (the design's interval), then Welch's difference of means.
            csv.AppendLine("target,variant,disjoint_actions,eval_variant,budget,budget_minutes,method,sources,baseline,metric," +
                "n_pairs,paired_difference,paired_ci_low,paired_ci_high,n_method,n_baseline,difference,ci_low,ci_high");
            foreach (var c in Comparisons)
            {
                csv.AppendLine(string.Join(',', Cell(c.Target), Cell(c.Variant), c.DisjointActions ? "true" : "false", Cell(c.EvalVariant), N(c.Budget), F(c.BudgetMinutes),
                    Cell(c.Method), Cell(c.Sources), Cell(c.Baseline), Cell(c.Metric),
                    N(c.NPairs), F(c.PairedDifference), F(c.PairedCiLow), F(c.PairedCiHigh),
                    N(c.NMethod), N(c.NBaseline), F(c.Difference), F(c.CiLow), F(c.CiHigh)));
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

    private static Dictionary<int, double> ValuesBySeed(IEnumerable<SeedRecord> records, string metric) =>
        records.Where(r => r.Metrics!.ContainsKey(metric)).ToDictionary(r => r.Seed, r => r.Metrics![metric]);

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
