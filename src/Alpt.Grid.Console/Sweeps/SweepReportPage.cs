using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Alpt.Grid.Abstractions.Sweeps;
using Alpt.Grid.Abstractions.Trials;
using Alpt.Learning.Trials;

namespace Alpt.Grid.Console.Sweeps;

/// <summary>What a report page is built from: everything read from the grid's stored results, nothing else.</summary>
public sealed record SweepReportInput(SweepReport Report, SweepStatus Status, IReadOnlyList<SweepSpec> Specs, IReadOnlyList<ExperimentCurve> Curves, DateTimeOffset GeneratedAt);

/// <summary>
/// A sweep as one self-contained HTML page to hand a colleague: its spec, the experiments table, the
/// paired comparisons with their intervals, the budget plots, the training curves, failures and
/// timings. Figures are PNGs inside the page (data: URIs); no script, no font or style from elsewhere, so
/// it opens offline and prints (print styles keep figures and rows whole). A sweep still running is
/// marked so: the page shows what had finished when it was built.
/// </summary>
public static class SweepReportPage
{
    /// <summary>Builds the page; <paramref name="progress"/> hears each figure drawn (done, total).</summary>
    public static string Build(SweepReportInput input, IProgress<(int Done, int Total)>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        var report = input.Report;
        IReadOnlyList<(string Title, ScottPlot.Plot Plot)> budgetPanels = report.Experiments.Count == 0 ? [] : [.. SweepPlot.Panels(report)];
        var curvePanels = SweepCurves.Panels(report, input.Curves);
        var total = budgetPanels.Count + curvePanels.Count;
        var done = 0;
        string Figure((string Title, ScottPlot.Plot Plot) panel)
        {
            var png = SweepPlot.Png(panel.Plot);
            progress?.Report((++done, total));
            return $"<figure><img src=\"data:image/png;base64,{Convert.ToBase64String(png)}\" alt=\"{H(panel.Title)}\" width=\"640\" height=\"420\"><figcaption>{H(panel.Title)}</figcaption></figure>\n";
        }

        var status = input.Status;
        var finished = status.Counts.Finished;
        var running = status.State == SweepState.Running;
        var html = new StringBuilder();
        html.Append(CultureInfo.InvariantCulture, $"""
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{H(TitleOf(report.SweepId))}</title>
            <style>{Css}</style>
            </head>
            <body>
            <header>
            <h1>{H(TitleOf(report.SweepId))}</h1>
            <p class="meta">{H(status.State.ToString().ToLowerInvariant())} · {N(status.Experiments)} experiments · {N(status.Counts.Total)} trials: {N(status.Counts.Succeeded)} succeeded, {N(status.Counts.Failed)} failed, {N(status.Counts.Cancelled)} cancelled, {N(status.Counts.Running)} running, {N(status.Counts.Queued + status.Counts.Pending)} queued · built {H(input.GeneratedAt.ToString("u", CultureInfo.InvariantCulture))}{(status.LaunchedAt is { } launched ? " · launched " + H(launched.ToString("u", CultureInfo.InvariantCulture)) : "")}</p>

            """);
        if (running)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p class=\"banner\" id=\"in-progress\"><strong>In progress:</strong> {N(finished)} of {N(status.Counts.Total)} trials finished when this page was built. Tables and figures show the finished trials only; rows with trials still to come are marked <span class=\"pending\">running</span>. Build the report again for the rest.</p>\n");
        }

        html.Append("""
            <nav><a href="#spec">Spec</a> · <a href="#experiments">Experiments</a> · <a href="#comparisons">Comparisons</a> · <a href="#budgets">Budget plots</a> · <a href="#curves">Training curves</a> · <a href="#failures">Failures</a> · <a href="#timings">Timings</a></nav>
            </header>
            <main>

            """);

        // Spec.
        html.Append("<section id=\"spec\"><h2>Spec</h2>\n");
        foreach (var spec in input.Specs)
        {
            html.Append(CultureInfo.InvariantCulture, $"<table class=\"spec\"><caption>{H(spec.Name)}</caption><tbody>\n");
            Row("targets", string.Join(", ", spec.Targets));
            Row("variants", string.Join(", ", spec.Variants));
            Row("source sets", string.Join("; ", spec.SourceSets.Select(s => s.Length == 0 ? "none" : string.Join("+", s))));
            Row("budgets (labelled transitions)", string.Join(", ", spec.Budgets.Select(b => SweepTables.Budget(b))));
            Row("methods", string.Join(", ", spec.Methods));
            Row("seeds", string.Join(", ", spec.Seeds));
            Row("preset", spec.Preset);
            Row("overrides", spec.Overrides.Count == 0 ? "none" : string.Join(", ", spec.Overrides.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => $"{o.Key}={o.Value}")));
            Row("disjoint actions", string.Join(", ", spec.DisjointActions.Select(d => d ? "yes" : "no")));
            Row("evaluated in", string.Join(", ", spec.EvalVariants.Select(v => v.Length == 0 ? "the training variant" : v)));
            Row("max attempts", N(spec.MaxAttempts));
            Row("device", spec.Device.ToString().ToLowerInvariant());
            html.Append("</tbody></table>\n");
        }

        if (input.Specs.Count == 0)
        {
            html.Append("<p>No stored spec.</p>\n");
        }

        html.Append("</section>\n");

        // Experiments.
        var open = report.Trials.Where(t => t.State is not ("succeeded" or "failed" or "cancelled")).GroupBy(t => t.Experiment).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        html.Append("""
            <section id="experiments"><h2>Experiments</h2>
            <p class="note">Mean ± standard deviation [95% Student-t interval] over the seeds that succeeded; a budget in labelled transitions and minutes of play at 15 per second.</p>
            <table><thead><tr><th>target</th><th>sources</th><th>budget</th><th>method</th><th>seeds</th><th>IDM accuracy</th><th>normalized return</th><th>return</th></tr></thead><tbody>

            """);
        foreach (var r in report.Experiments)
        {
            var seeds = $"{N(r.Succeeded)} of {N(r.Seeds)}" + (r.Failed > 0 ? $" <span class=\"bad\">({N(r.Failed)} failed)</span>" : "")
                + (open.TryGetValue(r.Experiment, out var pending) ? $" <span class=\"pending\">running: {N(pending)}</span>" : "");
            html.Append(CultureInfo.InvariantCulture, $"<tr{(open.ContainsKey(r.Experiment) ? " class=\"unfinished\"" : "")}><td>{H(r.Setting)}</td><td>{H(r.Sources)}</td><td>{H(r.Budget is { } b ? SweepTables.Budget(b) : r.BudgetLabel)}</td><td>{H(r.Method)}</td><td>{seeds}</td><td class=\"num\">{H(SweepTables.Text(r.IdmAccuracy, "P1"))}</td><td class=\"num\">{H(SweepTables.Text(r.NormalizedReturn, "F3"))}</td><td class=\"num\">{H(SweepTables.Text(r.Return, "F2"))}</td></tr>\n");
        }

        html.Append("</tbody></table></section>\n");

        // Comparisons.
        html.Append("""
            <section id="comparisons"><h2>Paired comparisons</h2>
            <p class="note">Method − baseline at each budget, paired by seed (the same annotation split, datasets and evaluation episodes): mean difference with its 95% t interval over the pairs; Welch's difference of means alongside. <span class="good">Green</span>: the paired interval is above zero; <span class="bad">red</span>: below.</p>

            """);
        if (report.Comparisons.Count == 0)
        {
            html.Append("<p>No comparison yet: a method and its baseline both need finished seeds at a budget.</p>\n");
        }
        else
        {
            html.Append("<table><thead><tr><th>target</th><th>budget</th><th>method</th><th>sources</th><th>vs</th><th>metric</th><th>pairs</th><th>paired diff.</th><th>paired 95% CI</th><th>Welch 95% CI</th></tr></thead><tbody>\n");
            foreach (var c in report.Comparisons)
            {
                var format = c.Metric == TrialMetrics.IdmAccuracy ? "P1" : "F3";
                var verdict = double.IsFinite(c.PairedCiLow) && c.PairedCiLow > 0 ? "good" : double.IsFinite(c.PairedCiHigh) && c.PairedCiHigh < 0 ? "bad" : "";
                html.Append(CultureInfo.InvariantCulture, $"<tr><td>{H(c.Setting)}</td><td>{H(SweepTables.Budget(c.Budget))}</td><td>{H(c.Method)}</td><td>{H(c.Method == "alpt" ? c.Sources : "—")}</td><td>{H(c.Baseline)}</td><td>{H(MetricName(c.Metric))}</td><td class=\"num\">{N(c.NPairs)}</td><td class=\"num {verdict}\">{(double.IsFinite(c.PairedDifference) ? H(SweepTables.Signed(c.PairedDifference, format)) : "—")}</td><td class=\"num\">{H(SweepTables.Interval(c.PairedCiLow, c.PairedCiHigh, format))}</td><td class=\"num\">{H($"{SweepTables.Signed(c.Difference, format)} {SweepTables.Interval(c.CiLow, c.CiHigh, format)} ({c.NMethod} vs {c.NBaseline})")}</td></tr>\n");
            }

            html.Append("</tbody></table>\n");
        }

        html.Append("</section>\n");

        // Figures.
        html.Append("<section id=\"budgets\"><h2>Budget plots</h2>\n<p class=\"note\">Against the annotation budget: a line per method (error bars: one standard deviation over seeds); a method that sees every label is a dashed reference with its band.</p>\n<div class=\"figures\">\n");
        foreach (var panel in budgetPanels)
        {
            html.Append(Figure(panel));
        }

        html.Append(budgetPanels.Count == 0 ? "<p>No finished experiment yet.</p>\n" : "").Append("</div></section>\n");
        html.Append("<section id=\"curves\"><h2>Training curves</h2>\n<p class=\"note\">Stored with each succeeded seed: every training phase's loss, and the policy's return evaluated while it trained where the preset measures it; mean and a band of one standard deviation over seeds, a line per method.</p>\n<div class=\"figures\">\n");
        foreach (var panel in curvePanels)
        {
            html.Append(Figure(panel));
        }

        html.Append(curvePanels.Count == 0 ? "<p>No stored curves yet.</p>\n" : "").Append("</div></section>\n");

        // Failures.
        var failures = report.Trials.Where(t => t.State == "failed").ToList();
        html.Append("<section id=\"failures\"><h2>Failures</h2>\n");
        if (failures.Count == 0)
        {
            html.Append("<p>No trial failed.</p>\n");
        }
        else
        {
            html.Append("<table><thead><tr><th>trial</th><th>attempts</th><th>last error</th></tr></thead><tbody>\n");
            foreach (var t in failures)
            {
                html.Append(CultureInfo.InvariantCulture, $"<tr><td>{H(t.Trial)}</td><td class=\"num\">{N(t.Attempts)}</td><td class=\"error\">{H(t.Error ?? "no error recorded")}</td></tr>\n");
            }

            html.Append("</tbody></table>\n");
        }

        html.Append("</section>\n");

        // Timings: seconds per phase, over the succeeded seeds.
        var phases = report.Trials.Where(t => t.Metrics is not null).SelectMany(t => t.Metrics!.Keys).Where(k => k.StartsWith("seconds_", StringComparison.Ordinal)).Distinct(StringComparer.Ordinal)
            .OrderBy(k => TimingOrder(k)).ThenBy(k => k, StringComparer.Ordinal).ToList();
        html.Append("<section id=\"timings\"><h2>Timings</h2>\n<p class=\"note\">Seconds per phase of a trial, mean ± standard deviation over the seeds that succeeded.</p>\n");
        if (phases.Count == 0)
        {
            html.Append("<p>No timings recorded yet.</p>\n");
        }
        else
        {
            html.Append("<table><thead><tr><th>experiment</th>").AppendJoin("", phases.Select(p => $"<th>{H(p["seconds_".Length..])}</th>")).Append("</tr></thead><tbody>\n");
            foreach (var r in report.Experiments)
            {
                var trials = report.Trials.Where(t => t.Experiment == r.Experiment && t.State == "succeeded" && t.Metrics is not null).ToList();
                html.Append(CultureInfo.InvariantCulture, $"<tr><td>{H($"{r.Setting} {r.Method} {r.BudgetLabel}" + (r.Method == "alpt" ? $" [{r.Sources}]" : ""))}</td>");
                foreach (var phase in phases)
                {
                    var estimate = Estimate.Of([.. trials.Where(t => t.Metrics!.ContainsKey(phase)).Select(t => t.Metrics![phase])]);
                    html.Append(CultureInfo.InvariantCulture, $"<td class=\"num\">{(estimate is null ? "—" : H(estimate.Mean.ToString("F1", CultureInfo.InvariantCulture) + (double.IsFinite(estimate.Std) ? " ± " + estimate.Std.ToString("F1", CultureInfo.InvariantCulture) : "")))}</td>");
                }

                html.Append("</tr>\n");
            }

            var compute = report.Trials.Where(t => t.Metrics?.ContainsKey("seconds_total") == true).Sum(t => t.Metrics!["seconds_total"]);
            html.Append(CultureInfo.InvariantCulture, $"</tbody></table>\n<p>Trial time of the succeeded trials: {H(TimeSpan.FromSeconds(compute).ToString(@"d\.hh\:mm\:ss", CultureInfo.InvariantCulture))} in all.</p>\n");
        }

        html.Append("</section>\n</main>\n<footer>Built by <code>alpt sweep report</code> from the grid's stored results.</footer>\n</body>\n</html>\n");
        return html.ToString();

        void Row(string name, string value) => html.Append(CultureInfo.InvariantCulture, $"<tr><th>{H(name)}</th><td>{H(value)}</td></tr>\n");
    }

    /// <summary>The page's title (and its heading): what a browser tab and a test read.</summary>
    public static string TitleOf(string sweepId) => $"ALPT sweep {sweepId} — report";

    private static string MetricName(string metric) => metric switch
    {
        TrialMetrics.IdmAccuracy => "IDM accuracy",
        TrialMetrics.NormalizedReturn => "normalized return",
        _ => metric,
    };

    private static int TimingOrder(string key) => key["seconds_".Length..] switch
    {
        TrialPhases.Datasets => 0,
        TrialPhases.IdmTraining => 1,
        TrialPhases.IdmFineTuning => 2,
        TrialPhases.Labelling => 3,
        TrialPhases.PolicyTraining => 4,
        TrialPhases.Evaluation => 5,
        "total" => 7,
        _ => 6,
    };

    private static string H(string text) => WebUtility.HtmlEncode(text);

    private static string N(int value) => value.ToString(CultureInfo.InvariantCulture);

    private const string Css = """

        :root { color-scheme: light; --ink: #1d2329; --muted: #5b6670; --rule: #d5dbe0; --good: #1a7f37; --bad: #c62828; --pending: #8a5a00; }
        * { box-sizing: border-box; }
        body { margin: 0 auto; max-width: 1320px; padding: 1rem 1.5rem 2rem; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--ink); background: #fff; }
        h1 { font-size: 1.6rem; margin: 0.2rem 0; }
        h2 { font-size: 1.25rem; margin: 1.8rem 0 0.5rem; border-bottom: 1px solid var(--rule); padding-bottom: 0.2rem; }
        .meta, .note, footer { color: var(--muted); }
        .note { font-size: 0.9rem; margin: 0.2rem 0 0.6rem; }
        nav { font-size: 0.95rem; margin: 0.5rem 0; }
        nav a { color: #0b5cad; text-decoration: none; }
        .banner { background: #fff4d6; border: 1px solid #e2b33c; padding: 0.6rem 0.8rem; border-radius: 4px; }
        table { border-collapse: collapse; width: 100%; font-size: 0.88rem; margin: 0.4rem 0 1rem; }
        caption { text-align: left; font-weight: 600; padding: 0.2rem 0; }
        th, td { border-bottom: 1px solid var(--rule); padding: 0.28rem 0.5rem; text-align: left; vertical-align: top; }
        thead th { background: #f3f5f7; position: sticky; top: 0; }
        table.spec { width: auto; }
        table.spec th { font-weight: 500; color: var(--muted); }
        td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
        td.error { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 0.8rem; word-break: break-word; }
        .good { color: var(--good); font-weight: 600; }
        .bad { color: var(--bad); font-weight: 600; }
        .pending { color: var(--pending); font-weight: 600; }
        tr.unfinished td { background: #fffbf0; }
        .figures { display: grid; grid-template-columns: repeat(auto-fill, minmax(520px, 1fr)); gap: 0.8rem; }
        figure { margin: 0; border: 1px solid var(--rule); border-radius: 4px; padding: 0.3rem; }
        figure img { display: block; width: 100%; height: auto; }
        figcaption { font-size: 0.8rem; color: var(--muted); padding: 0.2rem 0.3rem 0; }
        footer { margin-top: 2rem; font-size: 0.85rem; }
        @media print {
          @page { size: A4 landscape; margin: 12mm; }
          body { max-width: none; padding: 0; font-size: 10pt; }
          nav { display: none; }
          thead th { position: static; }
          h2 { break-after: avoid; }
          tr, figure, .banner { break-inside: avoid; }
          .figures { grid-template-columns: 1fr 1fr; }
          .banner, tr.unfinished td, thead th { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
        }

        """;
}
