using System.Globalization;
using System.Text;
using Alpt.Grid.Abstractions.Trials;
using ScottPlot;
using SkiaSharp;

namespace Alpt.Grid.Console.Sweeps;

/// <summary>
/// Normalized return and IDM accuracy against annotation budget: a panel per metric (and a row per
/// target), a line per method / source set, error bars of one standard deviation across seeds. The
/// oracle has no budget (it sees every label): it is a horizontal reference at its mean across the
/// budgets, with a shaded band of one standard deviation.
/// </summary>
public static class SweepPlot
{
    private const int PanelWidth = 640;
    private const int PanelHeight = 420;

    public static void Save(SweepReport report, string path)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(path);
        CheckExtension(path);
        WriteImage([.. Panels(report).Select(p => p.Plot)], path);
    }

    /// <summary>The budget panels of a report: normalized return and IDM accuracy, a pair per target (and variant, eval variant).</summary>
    public static IReadOnlyList<(string Title, Plot Plot)> Panels(SweepReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (report.Experiments.Count == 0)
        {
            throw new InvalidOperationException($"sweep {report.SweepId} has no experiments to plot");
        }

        var colours = Colours(report);
        // A panel per target, variant and eval variant; disjoint actions are a series of their own (alpt only).
        string Panel(ExperimentRow e) => SweepReport.SettingLabel(e.Target, e.Variant, false, e.EvalVariant);
        var targets = report.Experiments.Select(Panel).Distinct(StringComparer.Ordinal).ToList();
        var panels = new List<(string, Plot)>();
        foreach (var target in targets)
        {
            var rows = report.Experiments.Where(e => Panel(e) == target).ToList();
            panels.Add(($"{target}: normalized return", MetricPanel(rows, colours, $"{target}: normalized return", "normalized return", r => r.NormalizedReturn)));
            panels.Add(($"{target}: IDM label accuracy", MetricPanel(rows, colours, $"{target}: IDM label accuracy", "IDM accuracy", r => r.IdmAccuracy)));
        }

        return panels;
    }

    /// <summary>One colour per series in every panel and every figure, so a method reads the same across them.</summary>
    internal static Dictionary<string, Color> Colours(SweepReport report)
    {
        var palette = new ScottPlot.Palettes.Category10();
        return report.Experiments.Select(e => (e.Series, Order: SweepReport.MethodOrder(e.Method))).Distinct()
            .OrderBy(s => s.Order).ThenBy(s => s.Series, StringComparer.Ordinal)
            .Select((s, i) => (s.Series, Colour: palette.GetColor(i)))
            .ToDictionary(s => s.Series, s => s.Colour, StringComparer.Ordinal);
    }

    /// <summary>A plot file must be .png or .svg.</summary>
    internal static void CheckExtension(string path)
    {
        if (Path.GetExtension(path).ToLowerInvariant() is not (".png" or ".svg"))
        {
            throw new ArgumentException($"plot file '{path}' should end in .png or .svg");
        }
    }

    /// <summary>Panels in rows of two, as one PNG or SVG (by the file's extension).</summary>
    internal static void WriteImage(IReadOnlyList<Plot> panels, string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        if (Path.GetExtension(path).Equals(".svg", StringComparison.OrdinalIgnoreCase))
        {
            File.WriteAllText(path, ComposeSvg(panels));
        }
        else
        {
            File.WriteAllBytes(path, ComposePng(panels));
        }
    }

    /// <summary>One panel as PNG bytes at the size every figure uses.</summary>
    internal static byte[] Png(Plot panel)
    {
        ArgumentNullException.ThrowIfNull(panel);
        return panel.GetImage(PanelWidth, PanelHeight).GetImageBytes();
    }

    private static Plot MetricPanel(IReadOnlyList<ExperimentRow> rows, IReadOnlyDictionary<string, Color> colours, string title, string label, Func<ExperimentRow, Estimate?> metric)
    {
        var plot = new Plot();
        plot.Title(title);
        plot.XLabel("labelled transitions (minutes of play at 15/s)");
        plot.YLabel(label);
        var budgets = rows.Where(r => r.Budget is not null).Select(r => r.Budget!.Value).Distinct().Order().ToArray();
        var left = -0.5;
        var right = Math.Max(0, budgets.Length - 1) + 0.5;

        // Budgets span orders of magnitude: plot them evenly spaced, labelled with their values.
        double X(int budget) => Array.IndexOf(budgets, budget);
        foreach (var reference in rows.Where(r => r.AllLabels).GroupBy(r => r.Series).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            // One experiment per series (per target and variant, which are a panel): its mean across the budgets.
            if (reference.Select(metric).FirstOrDefault(e => e is not null && double.IsFinite(e.Mean)) is not { } estimate)
            {
                continue;
            }

            var colour = colours[reference.Key];
            if (double.IsFinite(estimate.Std) && estimate.Std > 0)
            {
                var band = plot.Add.FillY([left, right], [estimate.Mean - estimate.Std, estimate.Mean - estimate.Std], [estimate.Mean + estimate.Std, estimate.Mean + estimate.Std]);
                band.FillStyle.Color = colour.WithAlpha(0.15);
                band.LineStyle.Width = 0;
            }

            var line = plot.Add.HorizontalLine(estimate.Mean, 2, colour, LinePattern.Dashed);
            line.LegendText = $"{reference.Key} (all labels)";
        }

        var series = rows.Where(r => !r.AllLabels).GroupBy(r => r.Series).OrderBy(g => SweepReport.MethodOrder(g.First().Method)).ThenBy(g => g.Key, StringComparer.Ordinal).ToList();
        for (var index = 0; index < series.Count; index++)
        {
            var line = series[index];
            // Each line a little to the side of the others, so that error bars at one budget do not hide each other.
            var dodge = (index - ((series.Count - 1) / 2.0)) * 0.04;
            var points = line.Select(r => (Budget: r.Budget!.Value, Value: metric(r))).Where(p => p.Value is not null && double.IsFinite(p.Value.Mean)).OrderBy(p => p.Budget).ToList();
            if (points.Count == 0)
            {
                continue;
            }

            var xs = points.Select(p => X(p.Budget) + dodge).ToArray();
            var ys = points.Select(p => p.Value!.Mean).ToArray();
            var scatter = plot.Add.Scatter(xs, ys, colours[line.Key]);
            scatter.LegendText = line.Key;
            scatter.LineWidth = 2;
            scatter.MarkerSize = 7;
            var errors = points.Select(p => double.IsFinite(p.Value!.Std) ? p.Value.Std : 0).ToArray();
            var bars = plot.Add.ErrorBar(xs, ys, errors);
            bars.Color = scatter.Color;
        }

        plot.Axes.Bottom.SetTicks([.. budgets.Select(b => (double)Array.IndexOf(budgets, b))], [.. budgets.Select(b => $"{b.ToString(CultureInfo.InvariantCulture)}\n{Alpt.Learning.Trials.AnnotationBudget.FormatMinutes(b)} min")]);
        plot.Axes.SetLimitsX(left, right);
        plot.ShowLegend(Alignment.UpperLeft);
        return plot;
    }

    /// <summary>Panels in rows of two (return, accuracy), nested as SVG documents in one.</summary>
    private static string ComposeSvg(IReadOnlyList<Plot> panels)
    {
        var rows = (panels.Count + 1) / 2;
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{PanelWidth * 2}\" height=\"{PanelHeight * rows}\" viewBox=\"0 0 {PanelWidth * 2} {PanelHeight * rows}\">\n");
        for (var i = 0; i < panels.Count; i++)
        {
            var inner = panels[i].GetSvgXml(PanelWidth, PanelHeight);
            // Nest each panel's document at its place: an <svg> element may carry x and y.
            var open = inner.IndexOf("<svg", StringComparison.Ordinal);
            inner = inner[open..].Insert(4, string.Create(CultureInfo.InvariantCulture, $" x=\"{i % 2 * PanelWidth}\" y=\"{i / 2 * PanelHeight}\""));
            svg.Append(inner).Append('\n');
        }

        svg.Append("</svg>\n");
        return svg.ToString();
    }

    private static byte[] ComposePng(IReadOnlyList<Plot> panels)
    {
        var rows = (panels.Count + 1) / 2;
        using var surface = SKSurface.Create(new SKImageInfo(PanelWidth * 2, PanelHeight * rows));
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        for (var i = 0; i < panels.Count; i++)
        {
            var bytes = Png(panels[i]);
            using var image = SKImage.FromEncodedData(bytes);
            canvas.DrawImage(image, i % 2 * PanelWidth, i / 2 * PanelHeight);
        }

        using var snapshot = surface.Snapshot();
        using var data = snapshot.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }
}
