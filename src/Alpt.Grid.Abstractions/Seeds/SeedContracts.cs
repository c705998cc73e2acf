using Alpt.Grid.Abstractions.Experiments;
using Alpt.Grid.Abstractions.Trials;

namespace Alpt.Grid.Abstractions.Seeds;

/// <summary>The life of one trial (DESIGN.md §4). Succeeded, Failed and Cancelled are terminal.</summary>
public enum SeedState
{
    Pending = 0,
    Queued = 1,
    Running = 2,
    Succeeded = 3,
    Failed = 4,
    Cancelled = 5,
}

public static class SeedStates
{
    public static bool IsTerminal(this SeedState state) => state is SeedState.Succeeded or SeedState.Failed or SeedState.Cancelled;
}

/// <summary>Everything a seed grain needs to exist: set once by its experiment.</summary>
[GenerateSerializer, Immutable]
[Alias("alpt.SeedDefinition")]
public sealed record SeedDefinition(
    [property: Id(0)] string ExperimentId,
    [property: Id(1)] ExperimentConfig Config,
    [property: Id(2)] int Seed,
    [property: Id(3)] int MaxAttempts);

/// <summary>A snapshot of a seed grain.</summary>
[GenerateSerializer, Immutable]
[Alias("alpt.SeedStatus")]
public sealed record SeedStatus(
    [property: Id(0)] string SeedId,
    [property: Id(1)] SeedState State,
    [property: Id(2)] int Attempt,
    [property: Id(3)] string? Worker,
    [property: Id(4)] DateTimeOffset? LeaseExpiresAt,
    [property: Id(5)] string? LastError,
    [property: Id(6)] TrialOutcome? Outcome,
    [property: Id(7)] TrialProgress? Progress);

/// <summary>What happened to a worker's report (complete or fail) of an attempt.</summary>
public enum ReportVerdict
{
    /// <summary>The report was recorded.</summary>
    Accepted = 0,

    /// <summary>The same report was already recorded (a retried call): nothing changed.</summary>
    AlreadyRecorded = 1,

    /// <summary>The reporter no longer holds the lease (it expired, the seed was cancelled or re-leased): ignored.</summary>
    StaleLease = 2,
}

/// <summary>The result of a lease check the work queue asks of a running seed.</summary>
[GenerateSerializer, Immutable]
[Alias("alpt.LeaseCheck")]
public sealed record LeaseCheck(
    [property: Id(0)] SeedState State,
    [property: Id(1)] DateTimeOffset? LeaseExpiresAt,
    [property: Id(2)] bool Expired,
    [property: Id(3)] SeedDefinition? Definition = null);

/// <summary>How an attempt of a seed ended, as the seed stored it.</summary>
public enum AttemptEnd
{
    /// <summary>The lease holder's result was accepted: the seed's one recorded result.</summary>
    Succeeded = 0,
    Failed = 1,
    /// <summary>The worker handed the attempt back (shutting down); it did not count.</summary>
    Abandoned = 2,
    /// <summary>The lease ran out without a heartbeat.</summary>
    Expired = 3,
    Cancelled = 4,
}

/// <summary>One ended attempt in a seed's own history: which attempt, under which lease token, on which worker, and how it ended.</summary>
[GenerateSerializer, Immutable]
[Alias("alpt.AttemptRecord")]
public sealed record AttemptRecord(
    [property: Id(0)] int Attempt,
    [property: Id(1)] Guid LeaseToken,
    [property: Id(2)] string? Worker,
    [property: Id(3)] AttemptEnd End,
    [property: Id(4)] DateTimeOffset At);
