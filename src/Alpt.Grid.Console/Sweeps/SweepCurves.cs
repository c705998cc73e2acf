using System.Globalization;
using Alpt.Grid.Abstractions.Trials;
using Alpt.Learning.Trials;
using ScottPlot;

namespace Alpt.Grid.Console.Sweeps;

/// <summary>One point of a curve over seeds: the step and the estimate of the quantity there.</summary>
public sealed record CurvePoint(int Step, Estimate Value);

/// <summary>An experiment's curve (a phase's loss, or the policy's return while training) over its succeeded seeds.</summary>
public sealed record ExperimentCurve(ExperimentRow Experiment, string Phase, string Quantity, IReadOnlyList<CurvePoint> Points)
{
    public string Name => $"{Phase} {Quantity}";
}

/// <summary>
/// The training curves of a sweep's experiments: each seed's stored curves, aggregated per step over
/// seeds (mean and one standard deviation, the same estimate as the experiments table), and plotted a
/// panel per setting, budget and curve with a line per method.
/// </summary>
public static class SweepCurves
{
    /// <summary>Aggregates the stored curves of each experiment's seeds (experiment id → seeds' curves).</summary>
    public static IReadOnlyList<ExperimentCurve> Aggregate(SweepReport report, IReadOnlyDictionary<string, SeedCurves[]> curves)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(curves);
        var result = new List<ExperimentCurve>();
        foreach (var experiment in report.Experiments)
        {
            if (!curves.TryGetValue(experiment.Experiment, out var seeds))
            {
                continue;
            }

            foreach (var named in seeds.SelectMany(s => s.Curves).GroupBy(c => (c.Phase, c.Quantity)).OrderBy(g => PhaseOrder(g.Key.Phase)).ThenBy(g => g.Key.Quantity, StringComparer.Ordinal))
            {
                var points = named.SelectMany(c => c.Steps.Zip(c.Values)).GroupBy(p => p.First).OrderBy(g => g.Key)
                    .Select(g => new CurvePoint(g.Key, Estimate.Of([.. g.Select(p => p.Second)])!)).ToList();
                result.Add(new ExperimentCurve(experiment, named.Key.Phase, named.Key.Quantity, points));
            }
        }

        return result;
    }

    /// <summary>
    /// Keeps the curves of the experiments asked for (an id or its start, e.g. <c>freeway-alpt-b100</c>) and of
    /// the phases asked for; none asked for keeps all. Anything that matches nothing is an error naming what there is.
    /// </summary>
    public static IReadOnlyList<ExperimentCurve> Select(IReadOnlyList<ExperimentCurve> curves, IReadOnlyList<string> experiments, IReadOnlyList<string> phases)
    {
        ArgumentNullException.ThrowIfNull(curves);
        ArgumentNullException.ThrowIfNull(experiments);
        ArgumentNullException.ThrowIfNull(phases);
        var ids = curves.Select(c => c.Experiment.Experiment).Distinct(StringComparer.Ordinal).ToList();
        foreach (var wanted in experiments.Where(e => !ids.Any(id => id.StartsWith(e, StringComparison.Ordinal))))
        {
            throw new ArgumentException($"--experiment '{wanted}' matches no experiment with curves (experiments: {(ids.Count == 0 ? "none yet" : string.Join(", ", ids))})");
        }

        var known = curves.Select(c => c.Phase).Distinct(StringComparer.Ordinal).OrderBy(PhaseOrder).ToList();
        foreach (var wanted in phases.Where(p => !known.Contains(p, StringComparer.Ordinal)))
        {
            throw new ArgumentException($"--phase '{wanted}' is not a phase with curves (phases: {(known.Count == 0 ? "none yet" : string.Join(", ", known))})");
        }

        return [.. curves.Where(c => (experiments.Count == 0 || experiments.Any(e => c.Experiment.Experiment.StartsWith(e, StringComparison.Ordinal)))
            && (phases.Count == 0 || phases.Contains(c.Phase, StringComparer.Ordinal)))];
    }

    /// <summary>
    /// A panel per setting, budget and curve, a line per series (method, sources) with a band of one standard
    /// deviation over seeds. An experiment trained on every label (the oracle) is drawn in each budget's panel
    /// of its setting, as the reference it is.
    /// </summary>
    public static IReadOnlyList<(string Title, Plot Plot)> Panels(SweepReport report, IReadOnlyList<ExperimentCurve> curves)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(curves);
        var colours = SweepPlot.Colours(report);
        var panels = new List<(string, Plot)>();
        foreach (var setting in curves.GroupBy(c => c.Experiment.Setting).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var budgets = setting.Where(c => !c.Experiment.AllLabels).Select(c => c.Experiment.Budget!.Value).Distinct().Order().Select(b => (int?)b).ToList();
            if (budgets.Count == 0)
            {
                budgets.Add(null);
            }

            foreach (var budget in budgets)
            {
                foreach (var name in setting.Select(c => (c.Phase, c.Quantity)).Distinct().OrderBy(n => PhaseOrder(n.Phase)).ThenBy(n => n.Quantity, StringComparer.Ordinal))
                {
                    var lines = setting.Where(c => (c.Phase, c.Quantity) == name && (c.Experiment.AllLabels || c.Experiment.Budget == budget))
                        .OrderBy(c => SweepReport.MethodOrder(c.Experiment.Method)).ThenBy(c => c.Experiment.Series, StringComparer.Ordinal).ToList();
                    if (lines.Count == 0)
                    {
                        continue;
                    }

                    var title = $"{setting.Key}, budget {(budget is { } b ? SweepTables.Budget(b) : "all")}: {name.Phase} {Describe(name.Quantity)}";
                    panels.Add((title, Panel(title, name.Phase, name.Quantity, lines, colours)));
                }
            }
        }

        return panels;
    }

    /// <summary>Writes the curves as one PNG or SVG (by the file's extension).</summary>
    public static void Save(SweepReport report, IReadOnlyList<ExperimentCurve> curves, string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        SweepPlot.CheckExtension(path);
        var panels = Panels(report, curves);
        if (panels.Count == 0)
        {
            throw new InvalidOperationException($"sweep {report.SweepId} has no stored curves to plot yet (curves are kept from the trials that succeeded)");
        }

        SweepPlot.WriteImage([.. panels.Select(p => p.Plot)], path);
    }

    private static Plot Panel(string title, string phase, string quantity, IReadOnlyList<ExperimentCurve> lines, IReadOnlyDictionary<string, Color> colours)
    {
        var plot = new Plot();
        plot.Title(title, size: 13);
        plot.XLabel($"{phase} training step");
        plot.YLabel(Describe(quantity) + " (mean ± std over seeds)");
        foreach (var line in lines)
        {
            var colour = colours.TryGetValue(line.Experiment.Series, out var c) ? c : Colors.Black;
            double[] xs = [.. line.Points.Select(p => (double)p.Step)];
            double[] ys = [.. line.Points.Select(p => p.Value.Mean)];
            if (line.Points.Any(p => double.IsFinite(p.Value.Std)))
            {
                double[] low = [.. line.Points.Select(p => p.Value.Mean - (double.IsFinite(p.Value.Std) ? p.Value.Std : 0))];
                double[] high = [.. line.Points.Select(p => p.Value.Mean + (double.IsFinite(p.Value.Std) ? p.Value.Std : 0))];
                var band = plot.Add.FillY(xs, low, high);
                band.FillStyle.Color = colour.WithAlpha(0.18);
                band.LineStyle.Width = 0;
            }

            var scatter = plot.Add.Scatter(xs, ys, colour);
            var seeds = line.Points.Count == 0 ? 0 : line.Points.Max(p => p.Value.N);
            scatter.LegendText = $"{line.Experiment.Series}{(line.Experiment.AllLabels ? " (all labels)" : "")}, n={seeds.ToString(CultureInfo.InvariantCulture)}";
            scatter.LineWidth = 2;
            scatter.MarkerSize = line.Points.Count <= 12 ? 6 : 0;
            if (line.Experiment.AllLabels)
            {
                scatter.LinePattern = LinePattern.Dashed;
            }
        }

        plot.ShowLegend(Alignment.UpperRight);
        return plot;
    }

    private static string Describe(string quantity) => quantity switch
    {
        TrialCurves.Loss => "loss",
        TrialCurves.NormalizedReturn => "normalized return",
        TrialCurves.Return => "return",
        _ => quantity,
    };

    /// <summary>Phases in the order a trial runs them.</summary>
    private static int PhaseOrder(string phase) => phase switch
    {
        TrialPhases.IdmTraining => 0,
        TrialPhases.IdmFineTuning => 1,
        TrialPhases.PolicyTraining => 2,
        _ => 3,
    };
}
