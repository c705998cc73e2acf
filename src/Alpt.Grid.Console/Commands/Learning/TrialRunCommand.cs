using System.ComponentModel;
using System.Runtime.ExceptionServices;
using Alpt.Learning.Checkpoints;
using Alpt.Learning.Runtime;
using Alpt.Learning.Trials;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Alpt.Grid.Console.Commands.Learning;

/// <summary>`alpt trial run`: one trial in this process, with a progress bar per phase.</summary>
public sealed class TrialRunCommand(IAnsiConsole console) : Command<TrialRunCommand.Settings>
{
    public sealed class Settings : TrialCommonSettings
    {
        [CommandOption("--target <GAME>")]
        [Description("Target game, optionally game:variant.")]
        public string Target { get; init; } = string.Empty;

        [CommandOption("--sources <GAMES>")]
        [Description("Comma-separated source games for alpt (game or game:variant); never the target.")]
        public string? Sources { get; init; }

        [CommandOption("--method <METHOD>")]
        [Description("labelled-only, idm-target, alpt (default) or oracle.")]
        [DefaultValue("alpt")]
        public string Method { get; init; } = "alpt";

        [CommandOption("--seed <SEED>")]
        [Description("Trial seed (default 1).")]
        [DefaultValue(1)]
        public int Seed { get; init; } = 1;

        [CommandOption("--save-idm <FILE>")]
        [Description("Save the trained IDM's weights here.")]
        public string? SaveIdm { get; init; }

        [CommandOption("--save-policy <FILE>")]
        [Description("Save the trained policy's weights here.")]
        public string? SavePolicy { get; init; }

        public override ValidationResult Validate() =>
            string.IsNullOrWhiteSpace(Target) ? ValidationResult.Error("--target is required.") : base.Validate();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var hp = settings.Hyperparameters();
        var method = TrialMethods.Parse(settings.Method);
        var spec = new TrialSpec(
            GameRef.Parse(settings.Target),
            TrialCommonSettings.ParseGames(settings.Sources),
            settings.BudgetFor(hp),
            method,
            settings.Seed,
            hp,
            settings.DisjointActions,
            settings.EvaluationVariant);
        spec.Validate();
        var device = TorchRuntime.ResolveDevice(settings.Device);
        var checkpoints = new CheckpointPaths(settings.SaveIdm, settings.SavePolicy);
        var datasets = new GeneratedDatasets();

        TrialResult result;
        if (settings.Json)
        {
            result = OnDedicatedThread(() => TrialRunner.Run(spec, datasets, device, null, cancellationToken, null, settings.Threads, checkpoints));
            console.WriteJson(result);
            return 0;
        }

        result = TrialProgressDisplay.Create(console).Start(ctx =>
        {
            var display = new TrialProgressDisplay(ctx, string.Empty);
            var r = OnDedicatedThread(() => TrialRunner.Run(spec, datasets, device, display, cancellationToken, null, settings.Threads, checkpoints));
            display.Complete();
            return r;
        });
        WriteSummary(console, result);
        return 0;
    }

    /// <summary>Runs a trial on a thread of its own: Torch's dispose scopes and thread settings are per thread.</summary>
    internal static T OnDedicatedThread<T>(Func<T> work)
    {
        T? value = default;
        ExceptionDispatchInfo? error = null;
        var thread = new Thread(() =>
        {
            try
            {
                value = work();
            }
#pragma warning disable CA1031 // Rethrown on the calling thread below.
            catch (Exception e)
#pragma warning restore CA1031
            {
                error = ExceptionDispatchInfo.Capture(e);
            }
        }) { Name = "alpt-trial", IsBackground = true };
        thread.Start();
        thread.Join();
        error?.Throw();
        return value!;
    }

    private static void WriteSummary(IAnsiConsole console, TrialResult result)
    {
        var spec = result.Spec;
        var table = new Table().AddColumns("", "");
        table.AddRow("target", Markup.Escape(spec.Target.ToString()));
        table.AddRow("method", Markup.Escape(spec.Method.Name()));
        table.AddRow("sources", Markup.Escape(spec.Sources.Count == 0 ? "—" : string.Join(", ", spec.Sources)));
        table.AddRow("labelled / unlabelled", $"{result.LabelledTransitions} / {result.UnlabelledTransitions}");
        if (result.IdmAccuracy is { } accuracy)
        {
            table.AddRow("IDM accuracy", $"{accuracy.Overall:P1}");
            table.AddRow("per action", Markup.Escape(string.Join("  ", accuracy.PerAction.Where(p => p.Value is not null).Select(p => $"{p.Key} {p.Value:P0}"))));
        }

        var e = result.Evaluation;
        table.AddRow("return", $"{e.MeanReturn:F2} ± {e.StdReturn:F2} over {e.Episodes} episodes ({Markup.Escape(e.Game)}:{Markup.Escape(e.Variant)}, target {e.TargetReturn:F1})");
        table.AddRow("normalized score", $"{e.NormalizedScore:F3} (random {e.RandomReturn:F2}, expert {e.ExpertReturn:F2})");
        table.AddRow("time", Markup.Escape(string.Join("  ", result.PhaseSeconds.Select(p => $"{p.Key} {p.Value:F1}s")) + $"  total {result.TotalSeconds:F1}s"));
        console.Write(table);
    }
}
