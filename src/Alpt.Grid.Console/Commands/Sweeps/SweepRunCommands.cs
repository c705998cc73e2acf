using System.ComponentModel;
using Alpt.Grid.Abstractions.Sweeps;
using Alpt.Grid.Console.Sweeps;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Alpt.Grid.Console.Commands.Sweeps;

/// <summary>`alpt sweep run`: launch (or resume) and watch to the end, then print the results.</summary>
public sealed class SweepRunCommand(IAnsiConsole console) : AsyncCommand<SweepRunCommand.Settings>
{
    public sealed class Settings : SweepSpecSettings
    {
        [CommandOption("--slots <SLOTS>")]
        [Description("Embedded grid worker slots: cpu*N (default: one per core, or ALPT_Grid__Slots).")]
        public string? Slots { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var definition = settings.Definition();
        var target = settings.Target();
        await using var grid = await GridSession.OpenAsync(target, settings.Slots ?? target.Options.Slots, console, cancellationToken);
        var (sweep, launches) = await grid.CallAsync($"launch sweep '{definition.Name}'", grains => SweepHandle.LaunchAsync(grains, definition), cancellationToken, unbounded: true);
        var resumed = launches.Any(l => !l.Created);
        console.MarkupLine($"[bold]{(resumed ? "resuming" : "launched")}[/] sweep [blue]{Markup.Escape(sweep.Id)}[/]: {definition.Experiments} experiments, {definition.Trials} trials on {Markup.Escape(grid.Description)}");
        var status = await new SweepMonitor(console, sweep, grid.Calls).WatchAsync(cancellationToken);
        if (cancellationToken.IsCancellationRequested && status.State == SweepState.Running)
        {
            console.MarkupLine(grid.HostsWorkers
                ? $"[yellow]interrupted[/]: sweep {Markup.Escape(sweep.Id)} stops here with {status.Counts.Finished}/{status.Counts.Total} trials finished; run the same command again to resume it"
                : $"[yellow]stopped watching[/]: sweep {Markup.Escape(sweep.Id)} goes on running on the cluster (`alpt sweep watch {Markup.Escape(sweep.Id)}`)");
            return 130;
        }

        var results = await grid.CallAsync($"read the results of sweep '{sweep.Id}'", _ => sweep.GetResultsAsync(), cancellationToken);
        SweepTables.Write(console, SweepReport.Build(sweep.Id, results));
        console.MarkupLine($"sweep [blue]{Markup.Escape(sweep.Id)}[/] {status.State.ToString().ToLowerInvariant()}: {status.Counts.Succeeded} succeeded, {status.Counts.Failed} failed");
        return status.Counts.Failed > 0 ? 3 : 0;
    }
}

/// <summary>`alpt sweep launch`: validate and launch, then return.</summary>
public sealed class SweepLaunchCommand(IAnsiConsole console) : AsyncCommand<SweepLaunchCommand.Settings>
{
    public sealed class Settings : SweepSpecSettings
    {
        [CommandOption("--json")]
        public bool Json { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var definition = settings.Definition();
        await using var grid = await GridSession.OpenAsync(settings.Target(), null, console, cancellationToken);
        var (sweep, launches) = await grid.CallAsync($"launch sweep '{definition.Name}'", grains => SweepHandle.LaunchAsync(grains, definition), cancellationToken, unbounded: true);
        if (settings.Json)
        {
            console.WriteJson(new { sweep = sweep.Id, parts = launches });
            return 0;
        }

        var created = launches.Any(l => l.Created);
        console.MarkupLine($"sweep [blue]{Markup.Escape(sweep.Id)}[/] {(created ? "launched" : "already launched (unfinished trials re-queued)")}: {definition.Experiments} experiments, {definition.Trials} trials on {Markup.Escape(grid.Description)}");
        if (!grid.HostsWorkers && !settings.Target().IsCluster)
        {
            console.MarkupLine($"[grey]the embedded grid runs trials only while `alpt sweep run` runs: `alpt sweep run {Markup.Escape(settings.Spec ?? "--preset " + settings.Preset)}`[/]");
        }

        return 0;
    }
}

/// <summary>`alpt sweep watch`: the live display of a sweep someone else runs.</summary>
public sealed class SweepWatchCommand(IAnsiConsole console) : AsyncCommand<SweepIdSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, SweepIdSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        await using var grid = await GridSession.OpenAsync(settings.Target(), null, console, cancellationToken);
        var sweep = await grid.CallAsync($"find sweep '{settings.Id}'", grains => SweepHandle.FindAsync(grains, settings.Id), cancellationToken);
        var status = await new SweepMonitor(console, sweep, grid.Calls).WatchAsync(cancellationToken);
        console.MarkupLine($"sweep [blue]{Markup.Escape(sweep.Id)}[/] {status.State.ToString().ToLowerInvariant()}: {status.Counts.Succeeded} succeeded, {status.Counts.Failed} failed of {status.Counts.Total}");
        return 0;
    }
}
