using Alpt.Grid.Abstractions.Experiments;
using Alpt.Grid.Abstractions.Seeds;
using Alpt.Grid.Abstractions.Sweeps;
using Alpt.Grid.Abstractions.Trials;
using Alpt.Grid.Grains.Aggregation;
using Alpt.Grid.Grains.Hosting;
using Orleans.Concurrency;

namespace Alpt.Grid.Grains.Experiments;

[GenerateSerializer]
[Alias("alpt.ExperimentGrainState")]
public sealed class ExperimentGrainState
{
    [Id(0)] public ExperimentConfig? Config { get; set; }

    [Id(1)] public int MaxAttempts { get; set; }

    [Id(2)] public SortedSet<int> Seeds { get; set; } = [];

    /// <summary>Terminal seeds only: the aggregates are computed from these.</summary>
    [Id(3)] public Dictionary<int, SeedRecord> Finished { get; set; } = [];
}

/// <summary>
/// Owns an experiment's seeds and aggregates their results as they arrive. Reentrant, so that its
/// calls to seeds (submit, cancel) and seeds' calls back (finished) never wait on each other; writes
/// are serialized.
/// </summary>
[Reentrant]
public sealed class ExperimentGrain : Grain, IExperimentGrain, IDisposable
{
    private readonly IPersistentState<ExperimentGrainState> store;
    private readonly SerialWriter writer;
    private readonly Dictionary<int, string> running = [];

    public ExperimentGrain([PersistentState("experiment", GridGrainOptions.StorageName)] IPersistentState<ExperimentGrainState> store)
    {
        this.store = store;
        writer = new SerialWriter(() => store.WriteStateAsync());
    }

    private ExperimentGrainState S => store.State;

    private string Id => this.GetPrimaryKeyString();

    async Task IExperimentGrain.Submit(ExperimentConfig config, int[] seeds, int maxAttempts)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(seeds);
        if (config.Id != Id)
        {
            throw new ArgumentException($"experiment config {config} has id {config.Id}, not {Id}", nameof(config));
        }

        var changed = S.Config is null || seeds.Any(s => !S.Seeds.Contains(s)) || S.MaxAttempts < maxAttempts;
        if (changed)
        {
            S.Config = config;
            S.MaxAttempts = Math.Max(S.MaxAttempts, maxAttempts);
            S.Seeds.UnionWith(seeds);
            await writer.WriteAsync();
        }

        await SubmitSeeds(seeds.Where(s => !S.Finished.ContainsKey(s)));
    }

    Task IExperimentGrain.Resume() => S.Config is null ? Task.CompletedTask : SubmitSeeds(S.Seeds.Where(s => !S.Finished.ContainsKey(s)));

    Task<ExperimentSummary> IExperimentGrain.GetSummary()
    {
        var config = S.Config ?? throw new InvalidOperationException($"experiment {Id} does not exist");
        var records = S.Seeds.Select(seed => S.Finished.TryGetValue(seed, out var record)
            ? record
            : new SeedRecord(seed, running.ContainsKey(seed) ? SeedState.Running : SeedState.Queued, 0, null, null, running.GetValueOrDefault(seed))).ToArray();
        var metrics = MetricStatistics.Summarize(records.Where(r => r.State == SeedState.Succeeded && r.Metrics is not null).Select(r => (IReadOnlyDictionary<string, double>)r.Metrics!));
        return Task.FromResult(new ExperimentSummary(Id, config, Counts(), records, metrics));
    }

    Task<StateCounts> IExperimentGrain.GetCounts() => Task.FromResult(Counts());

    async Task<SeedCurves[]> IExperimentGrain.GetCurves()
    {
        var succeeded = S.Finished.Values.Where(r => r.State == SeedState.Succeeded).Select(r => r.Seed).Order().ToArray();
        var statuses = await Task.WhenAll(succeeded.Select(s => Seed(s).GetStatus()));
        return [.. succeeded.Zip(statuses).Select(p => new SeedCurves(p.First, p.Second.Outcome?.Curves ?? []))];
    }

    async Task<SeedStatus[]> IExperimentGrain.GetRunning()
    {
        var statuses = await Task.WhenAll(running.Keys.ToArray().Select(s => Seed(s).GetStatus()));
        return [.. statuses.Where(s => s.State == SeedState.Running)];
    }

    async Task<int> IExperimentGrain.Cancel()
    {
        var open = S.Seeds.Where(s => !S.Finished.ContainsKey(s)).ToArray();
        var cancelled = await Task.WhenAll(open.Select(s => Seed(s).Cancel()));
        foreach (var (seed, wasCancelled) in open.Zip(cancelled))
        {
            if (wasCancelled)
            {
                running.Remove(seed);
                S.Finished[seed] = new SeedRecord(seed, SeedState.Cancelled, 0, null, "cancelled", null);
            }
        }

        await writer.WriteAsync();
        return cancelled.Count(c => c);
    }

    async Task<int> IExperimentGrain.RetryFailed()
    {
        var failed = S.Finished.Values.Where(r => r.State is SeedState.Failed or SeedState.Cancelled).Select(r => r.Seed).ToArray();
        foreach (var seed in failed)
        {
            S.Finished.Remove(seed);
        }

        await writer.WriteAsync();

        // An earlier retry may have removed a record and then been cut short: before its seed stored Queued (the seed
        // is still Failed), or after (Queued, but in no queue). Its record is gone from here, so it is no longer
        // "failed" here: every open seed not running is asked to retry too (a no-op unless it is failed or
        // cancelled), and the ones that did not are submitted (idempotent: queues a Queued one).
        var candidates = failed.Concat(S.Seeds.Where(s => !S.Finished.ContainsKey(s) && !failed.Contains(s) && !running.ContainsKey(s))).ToArray();
        var retried = await Task.WhenAll(candidates.Select(s => Seed(s).Retry(new SeedDefinition(Id, S.Config!, s, S.MaxAttempts))));
        await SubmitSeeds(candidates.Zip(retried).Where(c => !c.Second && !failed.Contains(c.First)).Select(c => c.First));
        return retried.Count(r => r);
    }

    Task IExperimentGrain.SeedStarted(int seed, string worker)
    {
        if (!S.Finished.ContainsKey(seed))
        {
            running[seed] = worker;
        }

        return Task.CompletedTask;
    }

    async Task IExperimentGrain.SeedFinished(int seed, SeedState state, int attempts, TrialOutcome? outcome, string? error, string? worker)
    {
        running.Remove(seed);
        // Metrics only: the curves stay with the seed, so this state stays small however many seeds it has.
        S.Finished[seed] = new SeedRecord(seed, state, attempts, outcome?.Metrics, error, worker);
        await writer.WriteAsync();
    }

    public void Dispose() => writer.Dispose();

    private StateCounts Counts()
    {
        var counts = StateCounts.Zero;
        foreach (var seed in S.Seeds)
        {
            counts = counts.Add(S.Finished.TryGetValue(seed, out var record) ? record.State : running.ContainsKey(seed) ? SeedState.Running : SeedState.Queued);
        }

        return counts;
    }

    private async Task SubmitSeeds(IEnumerable<int> seeds)
    {
        var config = S.Config!;
        await Task.WhenAll(seeds.Select(seed => Seed(seed).Submit(new SeedDefinition(Id, config, seed, S.MaxAttempts))));
    }

    private ISeedGrain Seed(int seed) => GrainFactory.GetGrain<ISeedGrain>(SweepExpansion.SeedId(Id, seed));
}
