using Orleans.Concurrency;
using Alpt.Grid.Abstractions.Experiments;

namespace Alpt.Grid.Abstractions.Sweeps;

/// <summary>A sweep (key: sweep id): validates and expands a spec, launches it idempotently, reports on it.</summary>
[Alias("alpt.ISweepGrain")]
public interface ISweepGrain : IGrainWithStringKey
{
    /// <summary>
    /// Validates (throws <see cref="InvalidSweepSpecException"/>, storing nothing) and launches. Launching
    /// the same spec again creates nothing new and re-queues whatever is unfinished (resume); a different
    /// spec under the same id is an error.
    /// </summary>
    Task<SweepLaunch> Launch(SweepSpec spec);

    Task<SweepSpec?> GetSpec();

    Task<SweepStatus> GetStatus();

    Task<ExperimentSummary[]> GetResults();

    /// <summary>Live status (worker, attempt, phase and step) of every trial running now.</summary>
    Task<Seeds.SeedStatus[]> GetRunning();

    /// <summary>Cancels every unfinished seed; returns how many were cancelled.</summary>
    Task<int> Cancel();

    /// <summary>Puts failed (and cancelled) seeds back in the queue with fresh attempts; returns how many.</summary>
    Task<int> RetryFailed();

    /// <summary>Makes sure every unfinished seed is queued or tracked (after a restart).</summary>
    Task Resume();
}

/// <summary>The list of sweeps (a single grain, key 0).</summary>
[Alias("alpt.ISweepRegistryGrain")]
public interface ISweepRegistryGrain : IGrainWithIntegerKey
{
    Task Register(SweepEntry entry);

    Task SetActive(string sweepId, bool active);

    Task<SweepEntry[]> List();

    /// <summary>Resumes every active sweep: called by each queue partition on activation, and by partition 0 every reconcile interval.</summary>
    [OneWay]
    Task ResumeActiveSweeps();
}
