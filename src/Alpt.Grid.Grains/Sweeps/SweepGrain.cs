using Alpt.Grid.Abstractions.Experiments;
using Alpt.Grid.Abstractions.Queue;
using Alpt.Grid.Abstractions.Sweeps;
using Alpt.Grid.Grains.Hosting;
using Alpt.Grid.Grains.Telemetry;
using Microsoft.Extensions.Options;

namespace Alpt.Grid.Grains.Sweeps;

[GenerateSerializer]
[Alias("alpt.SweepGrainState")]
public sealed class SweepGrainState
{
    [Id(0)] public SweepSpec? Spec { get; set; }

    [Id(1)] public string Fingerprint { get; set; } = "";

    [Id(2)] public DateTimeOffset LaunchedAt { get; set; }

    [Id(3)] public bool Cancelled { get; set; }

    /// <summary>Whether every experiment has been submitted (a launch cut short is finished by the next one).</summary>
    [Id(4)] public bool Submitted { get; set; }

    /// <summary>Whether the sweep registry has listed it (a registration that failed is made by the next launch or status).</summary>
    [Id(5)] public bool Registered { get; set; }
}

/// <summary>
/// A sweep: its spec is stored only after validation; its experiments are re-derived from the spec
/// (expansion is deterministic), so the stored state stays small whatever the grid size.
/// </summary>
public sealed class SweepGrain(
    [PersistentState("sweep", GridGrainOptions.StorageName)] IPersistentState<SweepGrainState> store,
    IOptions<GridGrainOptions> options,
    GridClock time,
    GridMetrics? metrics = null) : Grain, ISweepGrain
{
    /// <summary>How often a running sweep reports its trials by state to the metrics, between status calls.</summary>
    private static readonly TimeSpan ProgressReportInterval = TimeSpan.FromSeconds(5);

    private IGrainTimer? progressTimer;

    /// <summary>How many experiments are submitted at once: enough to keep silos busy, few enough not to flood them.</summary>
    private const int SubmitBatch = 256;

    private IReadOnlyList<ExperimentConfig>? experiments;
    private DateTimeOffset activeSince;
    private int finishedAtActiveSince = -1;

    private SweepGrainState S => store.State;

    private string Id => this.GetPrimaryKeyString();

    async Task<SweepLaunch> ISweepGrain.Launch(SweepSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        SweepValidation.ThrowIfInvalid(spec, options.Value.Catalogue);
        if (!SweepValidation.IsSafeName(Id))
        {
            throw new InvalidSweepSpecException([$"sweep id '{Id}' may hold only letters, digits, '-', '_' and '.' (at most 80)"]);
        }

        var fingerprint = SweepExpansion.Fingerprint(spec);
        var created = S.Spec is null;
        if (!created && S.Fingerprint != fingerprint)
        {
            // The same spec with another fingerprint was stored by a version that expanded it differently
            // (before the oracle ran once rather than once per budget, for one): say so, not "a different spec".
            throw new InvalidOperationException(SweepExpansion.Fingerprint(S.Spec!) == fingerprint
                ? $"sweep '{Id}' was stored by an earlier version of the grid, which expanded the same spec into other experiments; launch it under another name or id, or on a fresh grid"
                : $"sweep '{Id}' already exists with a different spec; choose another name or id");
        }

        if (created)
        {
            S.Spec = spec;
            S.Fingerprint = fingerprint;
            S.LaunchedAt = time.UtcNow;
            await store.WriteStateAsync();
        }

        await EnsureRegistered();

        if (!S.Cancelled)
        {
            await SubmitAll();
            if (!S.Submitted)
            {
                S.Submitted = true;
                await store.WriteStateAsync();
            }

            StartProgressReports();
        }

        return new SweepLaunch(Id, created, Experiments.Count, (int)spec.TrialCount());
    }

    /// <summary>
    /// Lists the sweep in the registry, which is what resumes it after a restart, once its spec is stored.
    /// Done on every launch and status until it succeeded: registering only on creation lost a sweep whose
    /// registration failed after its spec was stored (never listed, never resumed).
    /// </summary>
    private async Task EnsureRegistered()
    {
        if (S.Registered || S.Spec is null)
        {
            return;
        }

        await Registry.Register(new SweepEntry(Id, S.LaunchedAt, (int)S.Spec.TrialCount(), Active: !S.Cancelled));
        S.Registered = true;
        await store.WriteStateAsync();
    }

    Task<SweepSpec?> ISweepGrain.GetSpec() => Task.FromResult(S.Spec);

    async Task<SweepStatus> ISweepGrain.GetStatus()
    {
        if (S.Spec is null)
        {
            return new SweepStatus(Id, SweepState.Unknown, StateCounts.Zero, 0, null, null, []);
        }

        var summaries = await Task.WhenAll(Experiments.Select(e => Experiment(e.Id).GetCounts()));
        var counts = summaries.Aggregate(StateCounts.Zero, (a, b) => a + b);
        var state = S.Cancelled ? SweepState.Cancelled : counts.Finished == counts.Total && counts.Total > 0 ? SweepState.Completed : SweepState.Running;
        ReportProgress(counts);
        var errors = counts.Failed == 0 ? [] : await RecentErrors();
        await EnsureRegistered();
        await Registry.SetActive(Id, state == SweepState.Running);
        var unserved = state == SweepState.Running && counts.Queued > 0
            ? WorkerDirectory.Unserved(await GrainFactory.GetGrain<IWorkerDirectoryGrain>(0).GetWorkers(), S.Spec.Device)
            : null;
        return new SweepStatus(Id, state, counts, Experiments.Count, S.LaunchedAt, state == SweepState.Running ? Eta(counts) : null, errors, unserved);
    }

    async Task<ExperimentSummary[]> ISweepGrain.GetResults()
    {
        if (S.Spec is null)
        {
            throw new KeyNotFoundException($"sweep '{Id}' does not exist");
        }

        return await Task.WhenAll(Experiments.Select(e => Experiment(e.Id).GetSummary()));
    }

    async Task<Abstractions.Seeds.SeedStatus[]> ISweepGrain.GetRunning()
    {
        var running = await Task.WhenAll(Experiments.Select(e => Experiment(e.Id).GetRunning()));
        return [.. running.SelectMany(r => r)];
    }

    async Task<int> ISweepGrain.Cancel()
    {
        if (S.Spec is null)
        {
            throw new KeyNotFoundException($"sweep '{Id}' does not exist");
        }

        S.Cancelled = true;
        await store.WriteStateAsync();
        await Registry.SetActive(Id, false);
        var cancelled = await Task.WhenAll(Experiments.Select(e => Experiment(e.Id).Cancel()));
        return cancelled.Sum();
    }

    async Task<int> ISweepGrain.RetryFailed()
    {
        if (S.Spec is null)
        {
            throw new KeyNotFoundException($"sweep '{Id}' does not exist");
        }

        if (S.Cancelled)
        {
            S.Cancelled = false;
            await store.WriteStateAsync();
        }

        await Registry.SetActive(Id, true);
        var retried = await Task.WhenAll(Experiments.Select(e => Experiment(e.Id).RetryFailed()));
        return retried.Sum();
    }

    async Task ISweepGrain.Resume()
    {
        if (S.Spec is null || S.Cancelled)
        {
            return;
        }

        StartProgressReports();

        if (!S.Submitted)
        {
            await SubmitAll();
            S.Submitted = true;
            await store.WriteStateAsync();
            return;
        }

        var open = new List<ExperimentConfig>();
        foreach (var batch in Experiments.Chunk(SubmitBatch))
        {
            var counts = await Task.WhenAll(batch.Select(e => Experiment(e.Id).GetCounts()));
            open.AddRange(batch.Zip(counts).Where(c => c.Second.Finished < c.Second.Total).Select(c => c.First));
        }

        if (open.Count == 0)
        {
            // Finished: nothing left to reconcile, so the periodic resume stops visiting it.
            await Registry.SetActive(Id, false);
            return;
        }

        foreach (var batch in open.Chunk(SubmitBatch))
        {
            await Task.WhenAll(batch.Select(e => Experiment(e.Id).Resume()));
        }
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        metrics?.ForgetSweep(Id);
        return Task.CompletedTask;
    }

    /// <summary>
    /// While the sweep runs, its trials by state reach the metrics every few seconds even when no
    /// console asks for status; the timer keeps the grain active until the sweep ends.
    /// </summary>
    private void StartProgressReports()
    {
        if (metrics is null || progressTimer is not null)
        {
            return;
        }

        progressTimer = this.RegisterGrainTimer(
            static (self, _) => self.ReportProgressTick(),
            this,
            new GrainTimerCreationOptions(TimeSpan.Zero, ProgressReportInterval) { KeepAlive = true });
    }

    private async Task ReportProgressTick()
    {
        var summaries = await Task.WhenAll(Experiments.Select(e => Experiment(e.Id).GetCounts()));
        var counts = summaries.Aggregate(StateCounts.Zero, (a, b) => a + b);
        ReportProgress(counts);
        if (S.Cancelled || (counts.Total > 0 && counts.Finished == counts.Total))
        {
            // Finished: the last counts stay exported until the grain deactivates.
            progressTimer?.Dispose();
            progressTimer = null;
        }
    }

    private void ReportProgress(StateCounts counts) => metrics?.ReportSweepProgress(Id,
    [
        new("pending", counts.Pending), new("queued", counts.Queued), new("running", counts.Running),
        new("succeeded", counts.Succeeded), new("failed", counts.Failed), new("cancelled", counts.Cancelled),
    ]);

    private IReadOnlyList<ExperimentConfig> Experiments => experiments ??= S.Spec is null ? [] : SweepExpansion.Experiments(S.Spec);

    private ISweepRegistryGrain Registry => GrainFactory.GetGrain<ISweepRegistryGrain>(0);

    private IExperimentGrain Experiment(string id) => GrainFactory.GetGrain<IExperimentGrain>(id);

    private async Task SubmitAll()
    {
        var spec = S.Spec!;
        foreach (var batch in Experiments.Chunk(SubmitBatch))
        {
            await Task.WhenAll(batch.Select(e => Experiment(e.Id).Submit(e, spec.Seeds, spec.MaxAttempts)));
        }
    }

    /// <summary>Remaining trials at the rate seen since this activation first reported status.</summary>
    private TimeSpan? Eta(StateCounts counts)
    {
        var now = time.UtcNow;
        if (finishedAtActiveSince < 0)
        {
            activeSince = now;
            finishedAtActiveSince = counts.Finished;
            return null;
        }

        var done = counts.Finished - finishedAtActiveSince;
        var elapsed = now - activeSince;
        if (done <= 0 || elapsed <= TimeSpan.Zero)
        {
            return null;
        }

        return elapsed / done * (counts.Total - counts.Finished);
    }

    private async Task<string[]> RecentErrors()
    {
        var summaries = await Task.WhenAll(Experiments.Select(e => Experiment(e.Id).GetSummary()));
        return [.. summaries.SelectMany(s => s.Seeds.Where(r => r.State == Abstractions.Seeds.SeedState.Failed).Select(r => $"{s.Id}/{r.Seed}: {r.Error}")).Take(10)];
    }
}
