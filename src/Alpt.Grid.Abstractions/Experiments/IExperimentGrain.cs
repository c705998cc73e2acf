using Orleans.Concurrency;
using Alpt.Grid.Abstractions.Seeds;
using Alpt.Grid.Abstractions.Trials;

namespace Alpt.Grid.Abstractions.Experiments;

/// <summary>An experiment (key: <see cref="ExperimentConfig.Id"/>): owns its seeds, aggregates their results.</summary>
[Alias("alpt.IExperimentGrain")]
public interface IExperimentGrain : IGrainWithStringKey
{
    /// <summary>Creates or extends the experiment with these seeds and submits each; idempotent.</summary>
    Task Submit(ExperimentConfig config, int[] seeds, int maxAttempts);

    Task<ExperimentSummary> GetSummary();

    Task<StateCounts> GetCounts();

    /// <summary>The training curves of its succeeded seeds (read from each seed, where they are stored with its result), by seed.</summary>
    Task<SeedCurves[]> GetCurves();

    /// <summary>Live status (worker, attempt, progress) of the seeds running now.</summary>
    Task<SeedStatus[]> GetRunning();

    Task<int> Cancel();

    Task<int> RetryFailed();

    /// <summary>Re-submits unfinished seeds (re-queues them after a restart).</summary>
    Task Resume();

    /// <summary>A seed started an attempt (live count only, not stored).</summary>
    [OneWay]
    Task SeedStarted(int seed, string worker);

    /// <summary>A seed reached a terminal state: stored, and folded into the aggregates.</summary>
    Task SeedFinished(int seed, SeedState state, int attempts, TrialOutcome? outcome, string? error, string? worker);
}
