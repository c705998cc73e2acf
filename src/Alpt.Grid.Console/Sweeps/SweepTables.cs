using System.Globalization;
using Alpt.Grid.Abstractions.Trials;
using Spectre.Console;

namespace Alpt.Grid.Console.Sweeps;

/// <summary>The results of a sweep as console tables.</summary>
public static class SweepTables
{
    public static void Write(IAnsiConsole console, SweepReport report)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(report);
        Widen(console);

        var experiments = new Table().Title($"sweep {Markup.Escape(report.SweepId)}: experiments (mean ± std [[95% CI]] over seeds)")
            .AddColumns("target", "sources", "budget", "method", "n", "IDM accuracy", "normalized return", "return");
        foreach (var r in report.Experiments)
        {
            var target = r.Target + (r.Variant is Alpt.Grid.Abstractions.Catalogue.GridCatalogue.DefaultVariant or "default" ? "" : ":" + r.Variant) + (r.DisjointActions ? " disjoint" : "") + (r.EvalVariant.Length > 0 ? $" eval:{r.EvalVariant}" : "");
            experiments.AddRow(
                Markup.Escape(target), Markup.Escape(r.Sources), r.BudgetLabel, Markup.Escape(r.Method),
                r.Failed > 0 ? $"{r.Succeeded} [red]({r.Failed} failed)[/]" : r.Succeeded.ToString(CultureInfo.InvariantCulture),
                Format(r.IdmAccuracy, "P1"), Format(r.NormalizedReturn, "F3"), Format(r.Return, "F2"));
        }

        console.Write(experiments);
        foreach (var t in report.Trials.Where(t => t.State == "failed"))
        {
            // A failed trial keeps its last error; it is listed so a failure is never only a count.
            console.MarkupLine($"[red]failed[/] {Markup.Escape(t.Trial)} after {t.Attempts} attempt(s): {Markup.Escape(t.Error ?? "no error recorded")}");
        }

        if (report.Comparisons.Count == 0)
        {
            return;
        }

        var comparisons = new Table().Title("alpt − baseline at each budget (difference of means, 95% Welch CI)")
            .AddColumns("target", "budget", "alpt sources", "vs", "metric", "n", "alpt − vs", "95% CI");
        foreach (var c in report.Comparisons)
        {
            var format = c.Metric == TrialMetrics.IdmAccuracy ? "P1" : "F3";
            var ci = double.IsFinite(c.CiLow) ? $"[{c.CiLow.ToString(format, CultureInfo.InvariantCulture)}, {c.CiHigh.ToString(format, CultureInfo.InvariantCulture)}]" : "—";
            var colour = double.IsFinite(c.CiLow) && c.CiLow > 0 ? "green" : double.IsFinite(c.CiHigh) && c.CiHigh < 0 ? "red" : "default";
            comparisons.AddRow(
                Markup.Escape(c.Target), c.Budget.ToString(CultureInfo.InvariantCulture), Markup.Escape(c.Sources), Markup.Escape(c.Baseline), c.Metric == TrialMetrics.IdmAccuracy ? "IDM acc." : c.Metric == TrialMetrics.NormalizedReturn ? "norm. return" : Markup.Escape(c.Metric),
                $"{c.NAlpt} vs {c.NBaseline}", $"[{colour}]{Markup.Escape(Signed(c.Difference, format))}[/]", Markup.Escape(ci));
        }

        console.Write(comparisons);
    }

    /// <summary>Redirected output (a log, a file) is not limited to a terminal's width: keep table rows on one line.</summary>
    public static void Widen(IAnsiConsole console)
    {
        ArgumentNullException.ThrowIfNull(console);
        if (!console.Profile.Capabilities.Interactive && console.Profile.Width < 160)
        {
            console.Profile.Width = 160;
        }
    }

    private static string Signed(double value, string format) => (value >= 0 ? "+" : "") + value.ToString(format, CultureInfo.InvariantCulture);

    public static string Format(Estimate? e, string format)
    {
        if (e is null)
        {
            return "—";
        }

        var text = e.Mean.ToString(format, CultureInfo.InvariantCulture);
        if (double.IsFinite(e.Std))
        {
            text += " ± " + e.Std.ToString(format, CultureInfo.InvariantCulture);
        }

        if (double.IsFinite(e.CiLow))
        {
            text += $" [{e.CiLow.ToString(format, CultureInfo.InvariantCulture)}, {e.CiHigh.ToString(format, CultureInfo.InvariantCulture)}]";
        }

        return Markup.Escape(text);
    }
}
