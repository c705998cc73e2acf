using System.ComponentModel;
using Alpt.Environments.Core;
using Alpt.Learning.Runtime;
using Alpt.Learning.Trials;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Alpt.Grid.Console.Commands.Learning;

/// <summary>
/// `alpt trial compare`: methods × seeds on each target, in this process, datasets generated once.
/// For alpt the sources are every other game of the catalogue (or --sources).
/// </summary>
public sealed class TrialCompareCommand(IAnsiConsole console) : Command<TrialCompareCommand.Settings>
{
    public sealed class Settings : TrialCommonSettings
    {
        [CommandOption("--targets <GAMES>")]
        [Description("Comma-separated target games (default: every game).")]
        public string? Targets { get; init; }

        [CommandOption("--sources <GAMES>")]
        [Description("Source games for alpt (default: every game other than the target).")]
        public string? Sources { get; init; }

        [CommandOption("--methods <METHODS>")]
        [Description("Comma-separated methods (default: idm-target,alpt).")]
        [DefaultValue("idm-target,alpt")]
        public string Methods { get; init; } = "idm-target,alpt";

        [CommandOption("--seeds <N>")]
        [Description("Seeds 1..N per method (default 3).")]
        [DefaultValue(3)]
        public int Seeds { get; init; } = 3;

        public override ValidationResult Validate() =>
            Seeds < 1 ? ValidationResult.Error("--seeds must be at least 1.") : base.Validate();
    }

    /// <summary>One row of the comparison: a method on a target, over seeds.</summary>
    public sealed record ComparisonRow(
        string Target, string Method, int Seeds,
        double? IdmAccuracyMean, double? IdmAccuracyStd,
        double ReturnMean, double ReturnStd, double NormalizedMean, double NormalizedStd, double SecondsPerTrial);

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var hp = settings.Hyperparameters();
        var targets = TrialCommonSettings.ParseGames(settings.Targets);
        if (targets.Count == 0)
        {
            targets = [.. GameCatalogue.Names.Select(n => new GameRef(n))];
        }

        var methods = settings.Methods.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(TrialMethods.Parse).ToList();
        var device = TorchRuntime.ResolveDevice(settings.Device);
        var datasets = new GeneratedDatasets();
        var specs = new List<TrialSpec>();
        foreach (var target in targets)
        {
            foreach (var method in methods)
            {
                var sources = method != TrialMethod.Alpt ? [] : settings.Sources is null
                    ? GameCatalogue.Names.Where(n => n != target.Game).Select(n => new GameRef(n)).ToList()
                    : TrialCommonSettings.ParseGames(settings.Sources).Where(s => s.Game != target.Game).ToList();
                for (var seed = 1; seed <= settings.Seeds; seed++)
                {
                    var spec = new TrialSpec(target, sources, method == TrialMethod.Oracle ? 0 : settings.BudgetFor(hp), method, seed, hp, settings.DisjointActions, settings.EvaluationVariant);
                    spec.Validate();
                    specs.Add(spec);
                }
            }
        }

        var results = new List<TrialResult>();
        void RunAll(Func<TrialSpec, IProgress<TrialProgress>?> progressOf)
        {
            foreach (var spec in specs)
            {
                results.Add(TrialRunCommand.OnDedicatedThread(() => TrialRunner.Run(spec, datasets, device, progressOf(spec), cancellationToken, null, settings.Threads)));
            }
        }

        if (settings.Json)
        {
            RunAll(_ => null);
        }
        else
        {
            TrialProgressDisplay.Create(console).Start(ctx => RunAll(spec => new TrialProgressDisplay(ctx, $"{spec.Target.Game} {spec.Method.Name()} s{spec.Seed} ")));
        }

        var rows = results
            .GroupBy(r => (r.Spec.Target.ToString(), r.Spec.Method))
            .Select(g => Row(g.Key.Item1, g.Key.Method, [.. g]))
            .ToList();
        if (settings.Json)
        {
            console.WriteJson(new { rows, trials = results });
            return 0;
        }

        var table = new Table().AddColumns("target", "method", "seeds", "IDM accuracy", "return", "normalized", "s/trial");
        foreach (var row in rows)
        {
            table.AddRow(
                Markup.Escape(row.Target), Markup.Escape(row.Method), row.Seeds.ToString(System.Globalization.CultureInfo.InvariantCulture),
                row.IdmAccuracyMean is { } m ? $"{m:P1} ± {row.IdmAccuracyStd:P1}" : "—",
                $"{row.ReturnMean:F2} ± {row.ReturnStd:F2}",
                $"{row.NormalizedMean:F3} ± {row.NormalizedStd:F3}",
                $"{row.SecondsPerTrial:F0}");
        }

        console.Write(table);
        return 0;
    }

    private static ComparisonRow Row(string target, TrialMethod method, IReadOnlyList<TrialResult> results)
    {
        var accuracy = results.Where(r => r.IdmAccuracy is not null).Select(r => r.IdmAccuracy!.Overall).ToList();
        var (am, asd) = accuracy.Count == 0 ? ((double?)null, (double?)null) : MeanStd(accuracy);
        var (rm, rs) = MeanStd([.. results.Select(r => r.Evaluation.MeanReturn)]);
        var (nm, ns) = MeanStd([.. results.Select(r => r.Evaluation.NormalizedScore)]);
        return new ComparisonRow(target, method.Name(), results.Count, am, asd, rm, rs, nm, ns, results.Average(r => r.TotalSeconds));
    }

    /// <summary>Mean and sample standard deviation (0 for a single value).</summary>
    private static (double Mean, double Std) MeanStd(IReadOnlyList<double> values)
    {
        var mean = values.Average();
        var std = values.Count < 2 ? 0 : Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
        return (mean, std);
    }
}
