using Alpt.Grid.Abstractions.Seeds;

namespace Alpt.Grid.Abstractions.Experiments;

/// <summary>Mean, standard deviation (n − 1) and 95% confidence interval (Student t) of one metric over seeds.</summary>
[GenerateSerializer, Immutable]
[Alias("alpt.MetricSummary")]
public sealed record MetricSummary(
    [property: Id(0)] string Name,
    [property: Id(1)] int N,
    [property: Id(2)] double Mean,
    [property: Id(3)] double Std,
    [property: Id(4)] double CiLow,
    [property: Id(5)] double CiHigh);

/// <summary>One seed's line in an experiment: its terminal state, metrics or error.</summary>
[GenerateSerializer, Immutable]
[Alias("alpt.SeedRecord")]
public sealed record SeedRecord(
    [property: Id(0)] int Seed,
    [property: Id(1)] SeedState State,
    [property: Id(2)] int Attempts,
    [property: Id(3)] Dictionary<string, double>? Metrics,
    [property: Id(4)] string? Error,
    [property: Id(5)] string? Worker);

/// <summary>Counts of seeds by state.</summary>
[GenerateSerializer, Immutable]
[Alias("alpt.StateCounts")]
public sealed record StateCounts(
    [property: Id(0)] int Pending,
    [property: Id(1)] int Queued,
    [property: Id(2)] int Running,
    [property: Id(3)] int Succeeded,
    [property: Id(4)] int Failed,
    [property: Id(5)] int Cancelled)
{
    public static StateCounts Zero { get; } = new(0, 0, 0, 0, 0, 0);

    public int Total => Pending + Queued + Running + Succeeded + Failed + Cancelled;

    public int Finished => Succeeded + Failed + Cancelled;

    public static StateCounts operator +(StateCounts a, StateCounts b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return new(a.Pending + b.Pending, a.Queued + b.Queued, a.Running + b.Running, a.Succeeded + b.Succeeded, a.Failed + b.Failed, a.Cancelled + b.Cancelled);
    }

    public StateCounts Add(SeedState state) => state switch
    {
        SeedState.Pending => this with { Pending = Pending + 1 },
        SeedState.Queued => this with { Queued = Queued + 1 },
        SeedState.Running => this with { Running = Running + 1 },
        SeedState.Succeeded => this with { Succeeded = Succeeded + 1 },
        SeedState.Failed => this with { Failed = Failed + 1 },
        _ => this with { Cancelled = Cancelled + 1 },
    };
}

/// <summary>An experiment's configuration, seed records and aggregated metrics.</summary>
[GenerateSerializer, Immutable]
[Alias("alpt.ExperimentSummary")]
public sealed record ExperimentSummary(
    [property: Id(0)] string Id,
    [property: Id(1)] ExperimentConfig Config,
    [property: Id(2)] StateCounts Counts,
    [property: Id(3)] SeedRecord[] Seeds,
    [property: Id(4)] MetricSummary[] Metrics);
