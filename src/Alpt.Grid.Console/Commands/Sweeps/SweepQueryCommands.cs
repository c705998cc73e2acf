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

        [CommandOption("--curves")]
        [Description("json: include each succeeded trial's stored training curves (phase, quantity, steps, values).")]
        public bool Curves { get; init; }

        public override ValidationResult Validate() =>
            Format is not ("table" or "csv" or "json") ? ValidationResult.Error($"--format '{Format}' is not known: table, csv or json")
            : Curves && Format != "json" ? ValidationResult.Error("--curves needs --format json (tables and CSV have no room for curves; `alpt sweep curves` plots them)")
            : ValidationResult.Success();
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        await using var grid = await GridSession.OpenAsync(settings.Target(), null, console, cancellationToken);
        var report = await grid.CallAsync($"read the results of sweep '{settings.Id}'", async grains =>
        {
            var sweep = await SweepHandle.FindAsync(grains, settings.Id);
            var report = SweepReport.Build(sweep.Id, await sweep.GetResultsAsync());
            return settings.Curves ? report.WithCurves(await sweep.GetCurvesAsync([.. report.Experiments.Select(e => e.Experiment)])) : report;
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

/// <summary>`alpt sweep curves`: the stored training curves, mean and band over seeds, a line per method.</summary>
public sealed class SweepCurvesCommand(IAnsiConsole console) : AsyncCommand<SweepCurvesCommand.Settings>
{
    public sealed class Settings : SweepIdSettings
    {
        [CommandOption("--experiment <ID>")]
        [Description("Only this experiment (its id, or the start of it, e.g. freeway-alpt-b100); repeat for more.")]
        public string[] Experiments { get; init; } = [];

        [CommandOption("--phase <PHASE>")]
        [Description("Only this training phase: idm, idm-finetune or policy; repeat for more.")]
        public string[] Phases { get; init; } = [];

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
        var (report, curves) = await grid.CallAsync($"read the curves of sweep '{settings.Id}'", async grains =>
        {
            var sweep = await SweepHandle.FindAsync(grains, settings.Id);
            var report = SweepReport.Build(sweep.Id, await sweep.GetResultsAsync());
            return (report, await sweep.GetCurvesAsync([.. report.Experiments.Select(e => e.Experiment)]));
        }, cancellationToken);
        var selected = SweepCurves.Select(SweepCurves.Aggregate(report, curves), settings.Experiments, settings.Phases);
        SweepCurves.Save(report, selected, settings.Out);
        console.MarkupLine($"wrote {Markup.Escape(settings.Out)} ({selected.Select(c => c.Experiment.Experiment).Distinct().Count()} experiment(s), {selected.Count} curve(s))");
        return 0;
    }
}

/// <summary>`alpt sweep report`: the sweep as one self-contained HTML page.</summary>
public sealed class SweepReportCommand(IAnsiConsole console) : AsyncCommand<SweepReportCommand.Settings>
{
    public sealed class Settings : SweepIdSettings
    {
        [CommandOption("--out <FILE>")]
        [Description("The page to write: FILE.html (one file, figures inside, opens offline).")]
        public string Out { get; init; } = "";

        public override ValidationResult Validate() =>
            Path.GetExtension(Out).ToLowerInvariant() is ".html" or ".htm" ? ValidationResult.Success() : ValidationResult.Error("--out FILE.html is required");
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        await using var grid = await GridSession.OpenAsync(settings.Target(), null, console, cancellationToken);
        var input = await grid.CallAsync($"read the results of sweep '{settings.Id}'", async grains =>
        {
            var sweep = await SweepHandle.FindAsync(grains, settings.Id);
            var status = await sweep.GetStatusAsync();
            var specs = await sweep.GetSpecsAsync();
            var report = SweepReport.Build(sweep.Id, await sweep.GetResultsAsync());
            console.MarkupLine($"report: sweep [blue]{Markup.Escape(sweep.Id)}[/] is {status.State.ToString().ToLowerInvariant()}, {status.Counts.Finished}/{status.Counts.Total} trials finished; reading the curves of {report.Experiments.Count} experiment(s)");
            var experiments = report.Experiments.Select(e => e.Experiment).ToList();
            var curves = await sweep.GetCurvesAsync(experiments, new Progress<int>(n => console.MarkupLine($"report: curves of {n}/{experiments.Count} experiment(s) read")));
            return new SweepReportInput(report, status, specs, SweepCurves.Aggregate(report, curves), TimeProvider.System.GetUtcNow());
        }, cancellationToken);
        var lastShown = -1;
        var page = SweepReportPage.Build(input, new SyncProgress<(int Done, int Total)>(p =>
        {
            // A line every tenth of the figures (and the last): enough to see it move, in a terminal or a log.
            var tenth = p.Done * 10 / Math.Max(1, p.Total);
            if (tenth != lastShown || p.Done == p.Total)
            {
                lastShown = tenth;
                console.MarkupLine($"report: figure {p.Done}/{p.Total} drawn");
            }
        }));
        var directory = Path.GetDirectoryName(Path.GetFullPath(settings.Out));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        await File.WriteAllTextAsync(settings.Out, page, cancellationToken);
        console.MarkupLine($"wrote {Markup.Escape(settings.Out)} ({page.Length / 1024} KiB{(input.Status.State == SweepState.Running ? ", sweep still running: finished trials only" : "")})");
        return 0;
    }

    /// <summary>Reports on the caller's thread (Progress&lt;T&gt; would post to the thread pool, out of order).</summary>
    private sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
