using System.ComponentModel;
using System.Globalization;
using Alpt.Grid.Abstractions.Sweeps;
using Alpt.Grid.Console.Sweeps;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Alpt.Grid.Console.Commands.Sweeps;

/// <summary>`alpt sweep status`.</summary>
public sealed class SweepStatusCommand(IAnsiConsole console) : AsyncCommand<SweepStatusCommand.Settings>
{
    public sealed class Settings : SweepIdSettings
    {
        [CommandOption("--json")]
        public bool Json { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        await using var grid = await GridSession.OpenAsync(settings.Target(), null, console, cancellationToken);
        var status = await grid.CallAsync($"read the status of sweep '{settings.Id}'", async grains => await (await SweepHandle.FindAsync(grains, settings.Id)).GetStatusAsync(), cancellationToken);
        if (settings.Json)
        {
            console.WriteJson(status);
            return 0;
        }

        var c = status.Counts;
        SweepTables.Widen(console);
        var table = new Table().AddColumns("sweep", "state", "experiments", "trials", "queued", "running", "succeeded", "failed", "cancelled", "ETA");
        table.AddRow(
            Markup.Escape(status.SweepId), status.State.ToString().ToLowerInvariant(), N(status.Experiments), N(c.Total), N(c.Queued + c.Pending), N(c.Running),
            N(c.Succeeded), N(c.Failed), N(c.Cancelled), status.Eta is { } eta ? eta.ToString(@"hh\:mm\:ss", CultureInfo.InvariantCulture) : "—");
        console.Write(table);
        if (status.Unserved is { } unserved)
        {
            console.MarkupLine($"[yellow]waiting[/] {Markup.Escape(unserved)}");
        }

        foreach (var error in status.RecentErrors)
        {
            console.MarkupLine($"[red]failed[/] {Markup.Escape(error)}");
        }

        return 0;
    }

    internal static string N(int value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>`alpt sweep list`.</summary>
public sealed class SweepListCommand(IAnsiConsole console) : AsyncCommand<SweepListCommand.Settings>
{
    public sealed class Settings : GridSettings
    {
        [CommandOption("--json")]
        public bool Json { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        await using var grid = await GridSession.OpenAsync(settings.Target(), null, console, cancellationToken);
        var entries = await grid.CallAsync("list the sweeps", grains => grains.GetGrain<ISweepRegistryGrain>(0).List(), cancellationToken);
        if (settings.Json)
        {
            console.WriteJson(entries);
            return 0;
        }

        SweepTables.Widen(console);
        var table = new Table().AddColumns("sweep", "launched", "trials", "active");
        foreach (var e in entries)
        {
            table.AddRow(Markup.Escape(e.SweepId), e.LaunchedAt.ToString("u", CultureInfo.InvariantCulture), SweepStatusCommand.N(e.Trials), e.Active ? "yes" : "no");
        }

        console.Write(table);
        return 0;
    }
}

/// <summary>`alpt sweep cancel`.</summary>
public sealed class SweepCancelCommand(IAnsiConsole console) : AsyncCommand<SweepIdSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, SweepIdSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        await using var grid = await GridSession.OpenAsync(settings.Target(), null, console, cancellationToken);
        var (sweep, cancelled) = await grid.CallAsync($"cancel sweep '{settings.Id}'", async grains =>
        {
            var sweep = await SweepHandle.FindAsync(grains, settings.Id);
            return (sweep, await sweep.CancelAsync());
        }, cancellationToken);
        console.MarkupLine($"sweep [blue]{Markup.Escape(sweep.Id)}[/]: {cancelled} unfinished trial(s) cancelled (`alpt sweep retry-failed {Markup.Escape(sweep.Id)}` queues them again)");
        return 0;
    }
}

/// <summary>`alpt sweep retry-failed`.</summary>
public sealed class SweepRetryCommand(IAnsiConsole console) : AsyncCommand<SweepIdSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, SweepIdSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        await using var grid = await GridSession.OpenAsync(settings.Target(), null, console, cancellationToken);
        var (sweep, retried) = await grid.CallAsync($"retry the failed trials of sweep '{settings.Id}'", async grains =>
        {
            var sweep = await SweepHandle.FindAsync(grains, settings.Id);
            return (sweep, await sweep.RetryFailedAsync());
        }, cancellationToken);
        console.MarkupLine($"sweep [blue]{Markup.Escape(sweep.Id)}[/]: {retried} failed or cancelled trial(s) queued again");
        return 0;
    }
}

/// <summary>`alpt sweep results`: table, CSV or JSON, to the console or a file.</summary>
public sealed class SweepResultsCommand(IAnsiConsole console) : AsyncCommand<SweepResultsCommand.Settings>
{
    public sealed class Settings : SweepIdSettings
    {
        [CommandOption("--format <FORMAT>")]
        [Description("table (default), csv or json.")]
        [DefaultValue("table")]
        public string Format { get; init; } = "table";

        [CommandOption("--comparisons")]
        [Description("csv: write the method-vs-baseline comparisons (paired by seed, and Welch's) instead of the experiments.")]
        public bool Comparisons { get; init; }

        [CommandOption("--out <FILE>")]
        [Description("Write to this file instead of the console.")]
        public string? Out { get; init; }

        public override ValidationResult Validate() =>
            Format is "table" or "csv" or "json" ? ValidationResult.Success() : ValidationResult.Error($"--format '{Format}' is not known: table, csv or json");
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        await using var grid = await GridSession.OpenAsync(settings.Target(), null, console, cancellationToken);
        var report = await grid.CallAsync($"read the results of sweep '{settings.Id}'", async grains =>
        {
            var sweep = await SweepHandle.FindAsync(grains, settings.Id);
            return SweepReport.Build(sweep.Id, await sweep.GetResultsAsync());
        }, cancellationToken);
        string text;
        switch (settings.Format)
        {
            case "csv":
                text = report.ToCsv(settings.Comparisons);
                break;
            case "json":
                text = report.ToJson();
                break;
            default:
                if (settings.Out is null)
                {
                    SweepTables.Write(console, report);
                    return 0;
                }

                using (var writer = new StringWriter(CultureInfo.InvariantCulture))
                {
                    var file = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(writer), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors });
                    file.Profile.Width = 200;
                    SweepTables.Write(file, report);
                    text = writer.ToString();
                }

                break;
        }

        if (settings.Out is { } path)
        {
            await File.WriteAllTextAsync(path, text, cancellationToken);
            console.MarkupLine($"wrote {Markup.Escape(path)}");
        }
        else
        {
            console.WriteRaw(text);
        }

        return 0;
    }
}

/// <summary>`alpt sweep plot`.</summary>
public sealed class SweepPlotCommand(IAnsiConsole console) : AsyncCommand<SweepPlotCommand.Settings>
{
    public sealed class Settings : SweepIdSettings
    {
        [CommandOption("--out <FILE>")]
        [Description("The image to write: FILE.png or FILE.svg.")]
        public string Out { get; init; } = "";

        public override ValidationResult Validate() =>
            Path.GetExtension(Out).ToLowerInvariant() is ".png" or ".svg" ? ValidationResult.Success() : ValidationResult.Error("--out FILE.png or FILE.svg is required");
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        await using var grid = await GridSession.OpenAsync(settings.Target(), null, console, cancellationToken);
        var report = await grid.CallAsync($"read the results of sweep '{settings.Id}'", async grains =>
        {
            var sweep = await SweepHandle.FindAsync(grains, settings.Id);
            return SweepReport.Build(sweep.Id, await sweep.GetResultsAsync());
        }, cancellationToken);
        SweepPlot.Save(report, settings.Out);
        console.MarkupLine($"wrote {Markup.Escape(settings.Out)}");
        return 0;
    }
}
