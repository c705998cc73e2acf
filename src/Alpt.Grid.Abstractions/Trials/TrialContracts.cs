using Alpt.Grid.Abstractions.Experiments;

namespace Alpt.Grid.Abstractions.Trials;

/// <summary>
/// What a worker slot is handed when it leases a seed: the trial to run and the lease that fences it.
/// Only the holder of <see cref="LeaseToken"/> can heartbeat, complete or fail this attempt.
/// </summary>
[GenerateSerializer, Immutable]
[Alias("alpt.TrialAssignment")]
public sealed record TrialAssignment(
    [property: Id(0)] string SeedId,
    [property: Id(1)] string ExperimentId,
    [property: Id(2)] ExperimentConfig Config,
    [property: Id(3)] int Seed,
    [property: Id(4)] int Attempt,
    [property: Id(5)] Guid LeaseToken,
    [property: Id(6)] DateTimeOffset LeaseExpiresAt);

/// <summary>A trial's live progress: the phase it is in (e.g. idm, label, policy, eval) and its step.</summary>
[GenerateSerializer, Immutable]
[Alias("alpt.TrialProgress")]
public sealed record TrialProgress(
    [property: Id(0)] string Phase,
    [property: Id(1)] long Step,
    [property: Id(2)] long TotalSteps,
    [property: Id(3)] double? Loss = null,
    [property: Id(4)] double? SamplesPerSecond = null);

/// <summary>
/// What a finished trial reports: named metrics (e.g. idm_accuracy, normalized_return), its duration and
/// its training curves. The seed stores all of it with its result (one write, fenced by the lease); its
/// experiment keeps only the metrics and hands the curves out from the seeds (<c>IExperimentGrain.GetCurves</c>).
/// </summary>
[GenerateSerializer, Immutable]
[Alias("alpt.TrialOutcome")]
public sealed record TrialOutcome(
    [property: Id(0)] Dictionary<string, double> Metrics,
    [property: Id(1)] TimeSpan Duration,
    [property: Id(2)] TrialCurve[]? Curves = null);

/// <summary>Well-known metric names, so the console and the learning pipeline agree.</summary>
public static class TrialMetrics
{
    public const string IdmAccuracy = "idm_accuracy";
    public const string NormalizedReturn = "normalized_return";
    public const string Return = "return";
}
