using System.Globalization;
using Alpt.Grid.Abstractions.Seeds;
using Alpt.Grid.Abstractions.Sweeps;
using Alpt.Grid.Abstractions.Trials;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Alpt.Grid.Console.Sweeps;

/// <summary>A running trial as the monitor sees it.</summary>
public sealed record RunningTrial(string SeedId, int Attempt, string? Worker, TrialProgress? Progress, string? LastError);

/// <summary>One look at a sweep: counts, the running trials with their progress, failures so far.</summary>
public sealed record SweepSnapshot(SweepStatus Status, IReadOnlyList<RunningTrial> Running, IReadOnlyList<(string SeedId, string Error)> Failures);

/// <summary>
/// Watches a sweep until it finishes (or the token is cancelled): a live Spectre display on a terminal
/// (overall bar, each running trial's phase and step, failures as they happen), plain progress lines
/// otherwise (logs, tests). Each look rides out a dying silo through <paramref name="calls"/>.
/// </summary>
public sealed class SweepMonitor(IAnsiConsole console, SweepHandle sweep, GridCalls? calls = null)
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    public async Task<SweepStatus> WatchAsync(CancellationToken cancellationToken)
    {
        var interactive = console.Profile.Capabilities.Interactive && console.Profile.Capabilities.Ansi;
        SweepSnapshot snapshot = await LookAsync(interactive, cancellationToken);
        if (!interactive)
        {
            return await WatchPlainAsync(snapshot, cancellationToken);
        }

        await console.Live(Render(snapshot)).AutoClear(false).StartAsync(async live =>
        {
            while (snapshot.Status.State == SweepState.Running && !cancellationToken.IsCancellationRequested)
            {
                await Delay(cancellationToken);
                snapshot = await LookAsync(interactive, cancellationToken);
                live.UpdateTarget(Render(snapshot));
            }
        });
        return snapshot.Status;
    }

    private async Task<SweepStatus> WatchPlainAsync(SweepSnapshot snapshot, CancellationToken cancellationToken)
    {
        var reported = new HashSet<string>(StringComparer.Ordinal);
        var reportedUnserved = new HashSet<string>(StringComparer.Ordinal);
        string? last = null;
        string? previousUnserved = null;
        // Each running trial's phase, so a log shows where the time goes (datasets, idm, labelling, policy, evaluation).
        var phases = new Dictionary<string, string>(StringComparer.Ordinal);
        while (true)
        {
            foreach (var trial in snapshot.Running)
            {
                var key = $"{trial.SeedId}#{trial.Attempt}";
                if (trial.Progress is { } p && (!phases.TryGetValue(key, out var phase) || phase != p.Phase))
                {
                    phases[key] = p.Phase;
                    console.WriteRaw($"trial {trial.SeedId} (attempt {trial.Attempt}): {p.Phase} {p.Step}/{p.TotalSteps}{Environment.NewLine}");
                }
            }

            foreach (var (seedId, error) in snapshot.Failures.Where(f => reported.Add(f.SeedId)))
            {
                console.WriteRaw($"failed: {seedId}: {error}{Environment.NewLine}");
            }

            var counts = snapshot.Status.Counts;
            var line = $"progress: {counts.Finished}/{counts.Total} finished ({counts.Succeeded} succeeded, {counts.Failed} failed, {counts.Cancelled} cancelled), {counts.Running} running";
            if (line != last)
            {
                console.WriteRaw(line + Environment.NewLine);
                last = line;
            }

            // Said once it holds for two looks in a row: a worker starting with this run reports its slots
            // a moment after the first look.
            if (snapshot.Status.Unserved is { } unserved && unserved == previousUnserved && reportedUnserved.Add(unserved))
            {
                console.WriteRaw($"waiting: {unserved}{Environment.NewLine}");
            }

            previousUnserved = snapshot.Status.Unserved;

            if (snapshot.Status.State != SweepState.Running || cancellationToken.IsCancellationRequested)
            {
                return snapshot.Status;
            }

            await Delay(cancellationToken);
            snapshot = await LookAsync(false, cancellationToken);
        }
    }

    private static async Task Delay(CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(Interval, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // The caller checks the token: the last snapshot is still worth returning.
        }
    }

    /// <summary>A snapshot, retried while the cluster recovers (no spinner of its own inside the live display).</summary>
    private Task<SweepSnapshot> LookAsync(bool insideLiveDisplay, CancellationToken cancellationToken) =>
        calls is null ? SnapshotAsync() : calls.RunAsync($"watch sweep '{sweep.Id}'", SnapshotAsync, cancellationToken, quiet: insideLiveDisplay);

    public async Task<SweepSnapshot> SnapshotAsync()
    {
        var status = await sweep.GetStatusAsync();
        var running = new List<RunningTrial>();
        var failures = new List<(string, string)>();
        if (status.Counts.Running > 0 || status.Counts.Failed > 0)
        {
            var results = await sweep.GetResultsAsync();
            foreach (var experiment in results)
            {
                foreach (var seed in experiment.Seeds)
                {
                    var id = SweepExpansion.SeedId(experiment.Id, seed.Seed);
                    if (seed.State == SeedState.Failed)
                    {
                        failures.Add((id, seed.Error ?? "failed"));
                    }
                }
            }

            var ids = results.SelectMany(e => e.Seeds.Where(s => s.State == SeedState.Running).Select(s => SweepExpansion.SeedId(e.Id, s.Seed))).Take(16).ToList();
            var statuses = await Task.WhenAll(ids.Select(id => sweep.Grains.GetGrain<ISeedGrain>(id).GetStatus()));
            running.AddRange(statuses.Where(s => s.State == SeedState.Running).Select(s => new RunningTrial(s.SeedId, s.Attempt, s.Worker, s.Progress, s.LastError)));
        }

        return new SweepSnapshot(status, running, failures);
    }

    private static IRenderable Render(SweepSnapshot snapshot)
    {
        var status = snapshot.Status;
        var counts = status.Counts;
        const int width = 40;
        var done = counts.Total == 0 ? 0 : (int)Math.Round(width * (double)counts.Finished / counts.Total);
        var eta = status.Eta is { } e ? $" ETA {e:hh\\:mm\\:ss}" : "";
        var bar = new Markup(
            $"[bold]{Markup.Escape(status.SweepId)}[/] [green]{new string('━', done)}[/][grey]{new string('━', width - done)}[/] " +
            $"{counts.Finished}/{counts.Total} ([green]{counts.Succeeded} ok[/], [red]{counts.Failed} failed[/], {counts.Running} running, {counts.Queued} queued){eta}");
        var table = new Table().Border(TableBorder.Simple).AddColumns("trial", "attempt", "phase", "step", "loss", "worker");
        foreach (var trial in snapshot.Running)
        {
            var p = trial.Progress;
            table.AddRow(
                Markup.Escape(trial.SeedId),
                trial.Attempt.ToString(CultureInfo.InvariantCulture),
                Markup.Escape(p?.Phase ?? "starting"),
                p is null ? "" : $"{p.Step}/{p.TotalSteps}",
                p?.Loss is { } loss ? loss.ToString("F3", CultureInfo.InvariantCulture) : "",
                Markup.Escape(trial.Worker ?? ""));
        }

        var rows = new List<IRenderable> { bar };
        if (snapshot.Running.Count > 0)
        {
            rows.Add(table);
        }

        foreach (var (seedId, error) in snapshot.Failures.TakeLast(8))
        {
            rows.Add(new Markup($"[red]failed[/] {Markup.Escape(seedId)}: {Markup.Escape(error)}"));
        }

        return new Rows(rows);
    }
}
