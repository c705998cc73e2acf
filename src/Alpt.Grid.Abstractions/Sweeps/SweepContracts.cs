using Alpt.Grid.Abstractions.Experiments;

namespace Alpt.Grid.Abstractions.Sweeps;

public enum SweepState
{
    /// <summary>No spec was ever launched under this id.</summary>
    Unknown = 0,
    Running = 1,
    Completed = 2,
    Cancelled = 3,
}

/// <summary>What a launch did: created the sweep, or found the same one already there (idempotent).</summary>
[GenerateSerializer, Immutable]
[Alias("alpt.SweepLaunch")]
public sealed record SweepLaunch(
    [property: Id(0)] string SweepId,
    [property: Id(1)] bool Created,
    [property: Id(2)] int Experiments,
    [property: Id(3)] int Trials);

/// <summary>
/// A sweep's state and counts. <see cref="Unserved"/> says why queued trials cannot start: no live
/// worker offers the device kind the sweep asks for (null when some does).
/// </summary>
[GenerateSerializer, Immutable]
[Alias("alpt.SweepStatus")]
public sealed record SweepStatus(
    [property: Id(0)] string SweepId,
    [property: Id(1)] SweepState State,
    [property: Id(2)] StateCounts Counts,
    [property: Id(3)] int Experiments,
    [property: Id(4)] DateTimeOffset? LaunchedAt,
    [property: Id(5)] TimeSpan? Eta,
    [property: Id(6)] string[] RecentErrors,
    [property: Id(7)] string? Unserved = null);

/// <summary>A line of the sweep registry.</summary>
[GenerateSerializer, Immutable]
[Alias("alpt.SweepEntry")]
public sealed record SweepEntry(
    [property: Id(0)] string SweepId,
    [property: Id(1)] DateTimeOffset LaunchedAt,
    [property: Id(2)] int Trials,
    [property: Id(3)] bool Active);
