using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Alpt.Grid.Grains.Telemetry;

/// <summary>
/// The grid's metric contract: the <c>Alpt</c> meter and every instrument on it, with one method per
/// event the grid records. Prometheus names are the instrument names with dots as underscores, the
/// unit as a suffix (<c>_seconds</c>) and <c>_total</c> on counters (docs/METRICS.md has the table).
/// Labels are bounded: sweep, target, method, budget, device, phase, outcome, partition; never a seed
/// or trial id.
/// </summary>
/// <remarks>
/// One instance per silo (a singleton in DI). Gauges that describe grain state (trials by state,
/// queue depth) are reported by the grain that owns that state, on whichever silo it is active; a
/// grain that deactivates calls the matching <c>Forget…</c> so no silo keeps exporting a stale value.
/// Summing those gauges across silos is then exact, because a grain is active on one silo at a time.
/// </remarks>
public sealed class GridMetrics
{
    /// <summary>The meter name that exporters subscribe to.</summary>
    public const string MeterName = "Alpt";

    /// <summary>
    /// Every trial state the gauge reports; a sweep reports all of them (zeros included) so a panel
    /// for "failed" shows 0 rather than no data.
    /// </summary>
    public static IReadOnlyList<string> TrialStates { get; } = ["pending", "queued", "running", "succeeded", "failed", "cancelled"];

    /// <summary>Trial phases timed by <see cref="TrialPhaseCompleted"/>.</summary>
    public static IReadOnlyList<string> TrialPhases { get; } = ["dataset", "idm", "labelling", "policy", "evaluation"];

    // Seconds, from sub-second no-op trials to multi-hour training runs.
    private static readonly double[] DurationBuckets = [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 1800, 3600, 7200, 14400];

    // Artifact reads and writes: milliseconds on local disk, seconds against blob storage.
    private static readonly double[] IoBuckets = [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

    private static readonly double[] AccuracyBuckets = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.98, 1];

    // Normalized return: 0 is the random policy, 1 the scripted expert; both can be exceeded. No
    // negative bounds: in OpenMetrics (what Prometheus asks for) the exporter then drops _sum and
    // _count, and the dashboards' means need them. Returns below random fall in the first bucket.
    private static readonly double[] ReturnBuckets = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1, 1.25, 1.5];

    private readonly ConcurrentDictionary<(string Sweep, string State), long> _trialsByState = new();
    private readonly ConcurrentDictionary<(int Partition, string Device), long> _queueDepth = new();

    private readonly Counter<long> _trialsFinished;
    private readonly Histogram<double> _trialDuration;
    private readonly Histogram<double> _phaseDuration;
    private readonly Histogram<double> _idmAccuracy;
    private readonly Histogram<double> _normalizedReturn;
    private readonly UpDownCounter<long> _slots;
    private readonly UpDownCounter<long> _slotsBusy;
    private readonly Counter<long> _trainingSamples;
    private readonly Histogram<double> _datasetGeneration;
    private readonly Histogram<double> _artifactDuration;
    private readonly Counter<long> _artifactBytes;
    private readonly Counter<long> _leaseExpiries;
    private readonly Counter<long> _retries;

    /// <summary>Creates the instruments on a meter from <paramref name="meterFactory"/>.</summary>
    public GridMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        Meter = meterFactory.Create(MeterName);

        Meter.CreateObservableGauge("alpt.trials", ObserveTrialsByState, unit: "{trial}",
            description: "Trials of each sweep by state, reported by the sweep's grain.");
        Meter.CreateObservableGauge("alpt.queue.depth", ObserveQueueDepth, unit: "{trial}",
            description: "Trials queued and waiting for a worker slot, by queue partition and the device kind they ask for (any, cpu, cuda).");

        _trialsFinished = Meter.CreateCounter<long>("alpt.trials.finished", unit: "{trial}",
            description: "Trials that reached a final state, by outcome (succeeded, failed, cancelled).");
        _trialDuration = Meter.CreateHistogram("alpt.trial.duration", unit: "s",
            description: "Wall time of one trial attempt on a worker, from start to result.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        _phaseDuration = Meter.CreateHistogram("alpt.trial.phase.duration", unit: "s",
            description: "Wall time of one phase of a trial (dataset, idm, labelling, policy, evaluation).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        _idmAccuracy = Meter.CreateHistogram("alpt.trial.idm.accuracy", unit: "1",
            description: "IDM label accuracy on the unlabelled target data of succeeded trials.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = AccuracyBuckets });
        _normalizedReturn = Meter.CreateHistogram("alpt.trial.normalized_return", unit: "1",
            description: "Normalized evaluation return of succeeded trials: (return - random) / (expert - random).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = ReturnBuckets });
        _slots = Meter.CreateUpDownCounter<long>("alpt.worker.slots", unit: "{slot}",
            description: "Worker slots configured on this silo, by device.");
        _slotsBusy = Meter.CreateUpDownCounter<long>("alpt.worker.slots.busy", unit: "{slot}",
            description: "Worker slots running a trial now, by device.");
        _trainingSamples = Meter.CreateCounter<long>("alpt.training.samples", unit: "{sample}",
            description: "Training samples processed, by device and trial phase; its rate is samples/s.");
        _datasetGeneration = Meter.CreateHistogram("alpt.dataset.generation.duration", unit: "s",
            description: "Time to generate one dataset before it is stored as an artifact.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        _artifactDuration = Meter.CreateHistogram("alpt.artifact.duration", unit: "s",
            description: "Time to read (and verify) or write one artifact, by operation and store.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = IoBuckets });
        _artifactBytes = Meter.CreateCounter<long>("alpt.artifact.size", unit: "By",
            description: "Bytes of artifacts read or written, by operation and store.");
        _leaseExpiries = Meter.CreateCounter<long>("alpt.lease.expiries", unit: "{lease}",
            description: "Worker leases that expired without a heartbeat; the trial went back to the queue.");
        _retries = Meter.CreateCounter<long>("alpt.trial.retries", unit: "{attempt}",
            description: "Trials sent back to the queue for another attempt (failure or lease expiry).");

        // A counter series exists from its first Add: start at 0 so "no expiries" is a 0 on the
        // dashboard, not an empty panel.
        _leaseExpiries.Add(0);
        _retries.Add(0);
    }

    /// <summary>The meter every instrument lives on (for listeners in tests).</summary>
    public Meter Meter { get; }

    /// <summary>
    /// The sweep's grain reports how many of its trials are in each state. States missing from
    /// <paramref name="countsByState"/> are reported as 0; names are matched case-insensitively
    /// against <see cref="TrialStates"/>, and other names are rejected.
    /// </summary>
    public void ReportSweepProgress(string sweep, IEnumerable<KeyValuePair<string, int>> countsByState)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sweep);
        ArgumentNullException.ThrowIfNull(countsByState);
        var counts = TrialStates.ToDictionary(s => s, _ => 0L, StringComparer.Ordinal);
        foreach (var (state, count) in countsByState)
        {
            var name = state.ToLowerInvariant();
            if (!counts.ContainsKey(name))
            {
                throw new ArgumentException($"Unknown trial state '{state}'; expected one of {string.Join(", ", TrialStates)}.", nameof(countsByState));
            }

            counts[name] += count;
        }

        foreach (var (state, count) in counts)
        {
            _trialsByState[(sweep, state)] = count;
        }
    }

    /// <summary>The sweep's grain deactivated here: stop exporting its state counts from this silo.</summary>
    public void ForgetSweep(string sweep)
    {
        foreach (var state in TrialStates)
        {
            _trialsByState.TryRemove((sweep, state), out _);
        }
    }

    /// <summary>A queue partition's grain reports how many trials asking for <paramref name="device"/> (any, cpu, cuda) wait in it for a slot.</summary>
    public void ReportQueueDepth(int partition, string device, int depth)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentOutOfRangeException.ThrowIfNegative(depth);
        _queueDepth[(partition, device)] = depth;
    }

    /// <summary>The partition's grain deactivated here: stop exporting its depth from this silo.</summary>
    public void ForgetQueueDepth(int partition)
    {
        foreach (var key in _queueDepth.Keys.Where(k => k.Partition == partition))
        {
            _queueDepth.TryRemove(key, out _);
        }
    }

    /// <summary>A worker started with <paramref name="count"/> slots on <paramref name="device"/> (cpu, cuda:0…).</summary>
    public void SlotsStarted(string device, int count) => _slots.Add(count, DeviceTag(device));

    /// <summary>A worker stopped and its slots on <paramref name="device"/> are gone.</summary>
    public void SlotsStopped(string device, int count) => _slots.Add(-count, DeviceTag(device));

    /// <summary>A slot on <paramref name="device"/> took a trial.</summary>
    public void SlotBusy(string device) => _slotsBusy.Add(1, DeviceTag(device));

    /// <summary>A slot on <paramref name="device"/> finished its trial and is free.</summary>
    public void SlotIdle(string device) => _slotsBusy.Add(-1, DeviceTag(device));

    /// <summary>Training progress: <paramref name="samples"/> more samples seen in <paramref name="phase"/> (idm, policy…).</summary>
    public void TrainingSamples(string device, string phase, long samples)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(samples);
        _trainingSamples.Add(samples, DeviceTag(device), new KeyValuePair<string, object?>("phase", phase));
    }

    /// <summary>One phase of a trial took <paramref name="elapsed"/> on a worker.</summary>
    public void TrialPhaseCompleted(TrialLabels trial, string phase, string device, TimeSpan elapsed)
    {
        ArgumentNullException.ThrowIfNull(trial);
        _phaseDuration.Record(elapsed.TotalSeconds, [.. trial.Tags(), new("phase", phase), DeviceTag(device)]);
    }

    /// <summary>
    /// One attempt of a trial ended on a worker: <paramref name="outcome"/> is succeeded, failed or
    /// abandoned (lease lost, shutdown). Attempts are timed here; trials are counted by their seed.
    /// </summary>
    public void TrialAttemptEnded(TrialLabels trial, string device, string outcome, TimeSpan elapsed)
    {
        ArgumentNullException.ThrowIfNull(trial);
        _trialDuration.Record(elapsed.TotalSeconds, [.. trial.Tags(), new("outcome", outcome), DeviceTag(device)]);
    }

    /// <summary>
    /// The seed recorded a trial's result (exactly once, by the lease holder): counts it and records
    /// the scores the Sweep dashboard plots. Methods without an IDM have no label accuracy.
    /// </summary>
    public void TrialSucceeded(TrialLabels trial, double? idmAccuracy, double? normalizedReturn)
    {
        ArgumentNullException.ThrowIfNull(trial);
        var tags = trial.Tags();
        _trialsFinished.Add(1, [.. tags, new("outcome", "succeeded")]);
        if (idmAccuracy is { } accuracy)
        {
            _idmAccuracy.Record(accuracy, tags);
        }

        if (normalizedReturn is { } score)
        {
            _normalizedReturn.Record(score, tags);
        }
    }

    /// <summary>The seed gave up on a trial: attempts exhausted.</summary>
    public void TrialFailed(TrialLabels trial)
    {
        ArgumentNullException.ThrowIfNull(trial);
        _trialsFinished.Add(1, [.. trial.Tags(), new("outcome", "failed")]);
    }

    /// <summary>A trial was cancelled with its sweep.</summary>
    public void TrialCancelled(TrialLabels trial)
    {
        ArgumentNullException.ThrowIfNull(trial);
        _trialsFinished.Add(1, [.. trial.Tags(), new("outcome", "cancelled")]);
    }

    /// <summary>A dataset for <paramref name="environment"/> (game/variant) was generated in <paramref name="elapsed"/>.</summary>
    public void DatasetGenerated(string environment, TimeSpan elapsed) =>
        _datasetGeneration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("environment", environment));

    /// <summary>An artifact was read from <paramref name="store"/> (local, blob), hash verified.</summary>
    public void ArtifactRead(string store, long bytes, TimeSpan elapsed) => Artifact("read", store, bytes, elapsed);

    /// <summary>An artifact was written to <paramref name="store"/> (local, blob).</summary>
    public void ArtifactWritten(string store, long bytes, TimeSpan elapsed) => Artifact("write", store, bytes, elapsed);

    /// <summary>A worker's lease on a trial expired without a heartbeat.</summary>
    public void LeaseExpired() => _leaseExpiries.Add(1);

    /// <summary>A trial goes back to the queue for another attempt.</summary>
    public void TrialRetried() => _retries.Add(1);

    private void Artifact(string operation, string store, long bytes, TimeSpan elapsed)
    {
        KeyValuePair<string, object?>[] tags = [new("operation", operation), new("store", store)];
        _artifactDuration.Record(elapsed.TotalSeconds, tags);
        _artifactBytes.Add(bytes, tags);
    }

    private IEnumerable<Measurement<long>> ObserveTrialsByState()
    {
        foreach (var ((sweep, state), count) in _trialsByState)
        {
            yield return new Measurement<long>(count, new KeyValuePair<string, object?>("sweep", sweep), new KeyValuePair<string, object?>("state", state));
        }
    }

    private IEnumerable<Measurement<long>> ObserveQueueDepth()
    {
        foreach (var ((partition, device), depth) in _queueDepth)
        {
            yield return new Measurement<long>(depth, new KeyValuePair<string, object?>("partition", partition), DeviceTag(device));
        }
    }

    private static KeyValuePair<string, object?> DeviceTag(string device) => new("device", device);
}

/// <summary>
/// The labels that identify a trial's experiment on the Sweep dashboard: target environment, method
/// and annotation budget. Deliberately no seed (Prometheus aggregates seeds) and no sweep: an
/// experiment is shared by every sweep that contains it, so its trials belong to no single sweep.
/// </summary>
public sealed record TrialLabels(string Target, string Method, string Budget)
{
    /// <summary>The labels of an experiment's trials.</summary>
    public static TrialLabels Of(Alpt.Grid.Abstractions.Experiments.ExperimentConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new(config.Target, config.Method, config.BudgetLabel);
    }

    internal KeyValuePair<string, object?>[] Tags() =>
        [new("target", Target), new("method", Method), new("budget", Budget)];
}
