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
            .AddColumns("target", "sources", "budget (transitions, minutes)", "method", "n", "IDM accuracy", "normalized return", "return");
        foreach (var r in report.Experiments)
        {
            experiments.AddRow(
                Markup.Escape(r.Setting), Markup.Escape(r.Sources), r.Budget is { } b ? Budget(b) : r.BudgetLabel, Markup.Escape(r.Method),
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

        // Every dimension that tells two comparisons apart is in the target column (variant, disjoint, eval variant).
        var comparisons = new Table().Title("method − baseline at each budget: paired by seed (mean difference, 95% t CI, n pairs); Welch's difference of means alongside")
            .AddColumns("target", "budget (transitions, minutes)", "method", "sources", "vs", "metric", "pairs", "paired diff.", "paired 95% CI", "Welch 95% CI");
        foreach (var c in report.Comparisons)
        {
            var format = c.Metric == TrialMetrics.IdmAccuracy ? "P1" : "F3";
            var colour = double.IsFinite(c.PairedCiLow) && c.PairedCiLow > 0 ? "green" : double.IsFinite(c.PairedCiHigh) && c.PairedCiHigh < 0 ? "red" : "default";
            comparisons.AddRow(
                Markup.Escape(c.Setting), Budget(c.Budget), Markup.Escape(c.Method), Markup.Escape(c.Method == "alpt" ? c.Sources : "—"), Markup.Escape(c.Baseline),
                c.Metric == TrialMetrics.IdmAccuracy ? "IDM acc." : c.Metric == TrialMetrics.NormalizedReturn ? "norm. return" : Markup.Escape(c.Metric),
                c.NPairs.ToString(CultureInfo.InvariantCulture),
                double.IsFinite(c.PairedDifference) ? $"[{colour}]{Markup.Escape(Signed(c.PairedDifference, format))}[/]" : "—",
                Markup.Escape(Interval(c.PairedCiLow, c.PairedCiHigh, format)),
                Markup.Escape($"{Signed(c.Difference, format)} {Interval(c.CiLow, c.CiHigh, format)} ({c.NMethod} vs {c.NBaseline})"));
        }

        console.Write(comparisons);
    }

    /// <summary>Redirected output (a log, a file) is not limited to a terminal's width: keep table rows on one line.</summary>
    public static void Widen(IAnsiConsole console)
    {
        ArgumentNullException.ThrowIfNull(console);
        if (!console.Profile.Capabilities.Interactive && console.Profile.Width < 200)
        {
            console.Profile.Width = 200;
        }
    }

    /// <summary>A budget in transitions and in minutes of play: "250 (0.278 min)".</summary>
    public static string Budget(int transitions) =>
        $"{transitions.ToString(CultureInfo.InvariantCulture)} ({Alpt.Learning.Trials.AnnotationBudget.FormatMinutes(transitions)} min)";

    internal static string Interval(double low, double high, string format) => double.IsFinite(low)
        ? $"[{low.ToString(format, CultureInfo.InvariantCulture)}, {high.ToString(format, CultureInfo.InvariantCulture)}]"
        : "—";

    internal static string Signed(double value, string format) => (value >= 0 ? "+" : "") + value.ToString(format, CultureInfo.InvariantCulture);

    public static string Format(Estimate? e, string format) => Markup.Escape(Text(e, format));

    /// <summary>"mean ± std [low, high]" as plain text; "—" for none.</summary>
    public static string Text(Estimate? e, string format)
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

        return text;
    }
}
