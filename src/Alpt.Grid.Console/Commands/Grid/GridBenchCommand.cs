using System.ComponentModel;
using System.Globalization;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Alpt.Grid.Console.Commands.Grid;

/// <summary>`alpt grid bench`: the grid's overhead per trial and its expansion speed, as figures.</summary>
public sealed class GridBenchCommand(IAnsiConsole console) : AsyncCommand<GridBenchCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--trials")]
        [Description("No-op trials to run through the grid (a multiple of 20; default 2000).")]
        public int Trials { get; init; } = 2000;

        [CommandOption("--slots")]
        [Description("Worker slots of the embedded silo (default 4).")]
        public int Slots { get; init; } = 4;

        [CommandOption("--expansion")]
        [Description("Trials of the sweep whose expansion and launch are timed (a multiple of 20; default 10000).")]
        public int Expansion { get; init; } = 10_000;

        [CommandOption("--json")]
        [Description("Print the figures as JSON.")]
        public bool Json { get; init; }

        public override ValidationResult Validate() =>
            Trials < 20 || Trials % 20 != 0 ? ValidationResult.Error("--trials must be a positive multiple of 20")
            : Expansion < 20 || Expansion % 20 != 0 ? ValidationResult.Error("--expansion must be a positive multiple of 20")
            : Slots is < 1 or > 256 ? ValidationResult.Error("--slots must be between 1 and 256")
            : ValidationResult.Success();
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var report = await GridBench.RunAsync(
            settings.Trials,
            settings.Slots,
            settings.Expansion,
            settings.Json ? _ => { } : line => console.MarkupLine($"[grey]{line.EscapeMarkup()}[/]"),
            cancellationToken);
        if (settings.Json)
        {
            console.WriteJson(report);
            return 0;
        }

        var table = new Table().AddColumn("figure").AddColumn(new TableColumn("value").RightAligned());
        string F(double v, string format) => v.ToString(format, CultureInfo.InvariantCulture);
        table.AddRow("no-op trials through the grid", report.Trials.ToString(CultureInfo.InvariantCulture));
        table.AddRow("worker slots", report.Slots.ToString(CultureInfo.InvariantCulture));
        table.AddRow("grid wall time", F(report.GridSeconds, "F2") + " s");
        table.AddRow("throughput", F(report.TrialsPerSecond, "F0") + " trials/s");
        table.AddRow("plain loop, same trials", F(report.PlainLoopSeconds * 1000, "F1") + " ms");
        table.AddRow("grid overhead per trial (wall)", F(report.OverheadMsPerTrial, "F2") + " ms");
        table.AddRow("grid overhead per trial (per slot)", F(report.OverheadMsPerTrialPerSlot, "F2") + " ms");
        table.AddRow($"expansion of {report.ExpansionTrials} trials ({report.ExpansionExperiments} experiments)", F(report.ExpansionSeconds * 1000, "F0") + " ms");
        table.AddRow($"durable launch of those {report.ExpansionTrials} trials", F(report.LaunchSeconds, "F2") + " s");
        table.AddRow("storage", report.Storage);
        table.AddRow($"state write, durable (mean of {report.StateWrites})", F(report.DurableWriteMs, "F3") + " ms");
        table.AddRow($"state write, without fsync (mean of {report.StateWrites})", F(report.UnflushedWriteMs, "F3") + " ms");
        console.Write(table);
        return 0;
    }
}
