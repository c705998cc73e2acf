using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Alpt.Grid.Grains.Telemetry;

namespace Alpt.Grid.Grains.Tests.Telemetry;

public sealed class GridMetricsTests : IDisposable
{
    private readonly OwnMeterFactory _factory = new();
    private readonly GridMetrics _metrics;
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<(string Instrument, double Value, Dictionary<string, string?> Tags)> _measurements = new();

    public GridMetricsTests()
    {
        _metrics = new GridMetrics(_factory);
        // Only this test's meters: other tests in the process create meters named "Alpt" too.
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, _factory))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        _listener.Start();
    }

    [Fact]
    public void Sweep_progress_reports_every_state_with_zeros_for_the_missing_ones()
    {
        _metrics.ReportSweepProgress("s1", [new("Running", 2), new("Succeeded", 5)]);

        _listener.RecordObservableInstruments();

        var trials = Of("alpt.trials").Where(m => m.Tags["sweep"] == "s1").ToDictionary(m => m.Tags["state"]!, m => m.Value);
        Assert.Equal(GridMetrics.TrialStates.Order(), trials.Keys.Order());
        Assert.Equal(2, trials["running"]);
        Assert.Equal(5, trials["succeeded"]);
        Assert.Equal(0, trials["failed"]);
    }

    [Fact]
    public void A_forgotten_sweep_is_no_longer_exported()
    {
        _metrics.ReportSweepProgress("s1", [new("queued", 1)]);
        _metrics.ReportSweepProgress("s2", [new("queued", 3)]);
        _metrics.ForgetSweep("s1");

        _listener.RecordObservableInstruments();

        Assert.All(Of("alpt.trials"), m => Assert.Equal("s2", m.Tags["sweep"]));
        Assert.Equal(3, Of("alpt.trials").Single(m => m.Tags["state"] == "queued").Value);
    }

    [Fact]
    public void An_unknown_state_is_rejected()
    {
        var error = Assert.Throws<ArgumentException>(() => _metrics.ReportSweepProgress("s1", [new("sleeping", 1)]));
        Assert.Contains("sleeping", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Lease_expiries_and_retries_start_at_zero_and_count_from_there()
    {
        // Created while the listener runs, so it sees the zeros recorded at construction.
        var metrics = new GridMetrics(_factory);

        metrics.LeaseExpired();
        metrics.TrialRetried();
        metrics.TrialRetried();

        Assert.Equal([0d, 1d], Of("alpt.lease.expiries").Select(m => m.Value));
        Assert.Equal([0d, 1d, 1d], Of("alpt.trial.retries").Select(m => m.Value));
        Assert.All(Of("alpt.trial.retries"), m => Assert.Empty(m.Tags));
    }

    [Fact]
    public void Queue_depth_is_exported_per_partition_and_device_kind_only_while_reported()
    {
        _listener.RecordObservableInstruments();
        Assert.Empty(Of("alpt.queue.depth"));

        _metrics.ReportQueueDepth(0, "any", 7);
        _metrics.ReportQueueDepth(0, "cuda", 4);
        _metrics.ReportQueueDepth(3, "any", 2);
        _listener.RecordObservableInstruments();
        Assert.Equal(13, Of("alpt.queue.depth").Sum(m => m.Value));
        Assert.Equal(["0", "0", "3"], Of("alpt.queue.depth").Select(m => m.Tags["partition"]).Order());
        Assert.Equal(4, Of("alpt.queue.depth").Where(m => Equals(m.Tags["device"], "cuda")).Sum(m => m.Value));

        _metrics.ForgetQueueDepth(0);
        _measurements.Clear();
        _listener.RecordObservableInstruments();
        Assert.Equal(["3"], Of("alpt.queue.depth").Select(m => m.Tags["partition"]));
    }

    [Fact]
    public void A_succeeded_trial_is_counted_with_its_scores_and_experiment_labels_and_no_seed()
    {
        var trial = new TrialLabels("breakout", "alpt", "500");

        _metrics.TrialSucceeded(trial, idmAccuracy: 0.9, normalizedReturn: 0.5);

        var finished = Of("alpt.trials.finished").Single();
        Assert.Equal(1, finished.Value);
        Assert.Equal("succeeded", finished.Tags["outcome"]);
        Assert.Equal(0.9, Of("alpt.trial.idm.accuracy").Single().Value);
        var score = Of("alpt.trial.normalized_return").Single();
        Assert.Equal(0.5, score.Value);
        Assert.Equal(["budget", "method", "target"], score.Tags.Keys.Order());
        Assert.Equal("500", score.Tags["budget"]);
    }

    [Fact]
    public void A_method_without_an_idm_records_no_accuracy()
    {
        _metrics.TrialSucceeded(new TrialLabels("breakout", "labelled-only", "500"), idmAccuracy: null, normalizedReturn: 1);

        Assert.Empty(Of("alpt.trial.idm.accuracy"));
        Assert.Single(Of("alpt.trial.normalized_return"));
    }

    [Fact]
    public void The_oracle_is_labelled_with_budget_all_and_other_methods_with_their_budget()
    {
        var spec = new Alpt.Grid.Abstractions.Sweeps.SweepSpec { Targets = ["breakout"], Budgets = [100, 500], Methods = ["idm-target", "oracle"], Seeds = [0] };
        var labels = Alpt.Grid.Abstractions.Sweeps.SweepExpansion.Experiments(spec).Select(TrialLabels.Of).ToList();

        Assert.Equal([new("breakout", "idm-target", "100"), new("breakout", "idm-target", "500"), new TrialLabels("breakout", "oracle", "all")], labels);
        _metrics.TrialSucceeded(labels[2], idmAccuracy: null, normalizedReturn: 1);
        Assert.Equal("all", Of("alpt.trial.normalized_return").Single().Tags["budget"]);
    }

    [Fact]
    public void Failed_and_cancelled_trials_count_by_outcome_and_attempts_are_timed_by_device()
    {
        var trial = new TrialLabels("freeway", "idm-target", "100");

        _metrics.TrialAttemptEnded(trial, "cpu", "failed", TimeSpan.FromSeconds(2));
        _metrics.TrialFailed(trial);
        _metrics.TrialCancelled(trial);

        Assert.Equal(["failed", "cancelled"], Of("alpt.trials.finished").Select(m => m.Tags["outcome"]));
        var attempt = Of("alpt.trial.duration").Single();
        Assert.Equal(2, attempt.Value);
        Assert.Equal("cpu", attempt.Tags["device"]);
        Assert.Empty(Of("alpt.trial.normalized_return"));
    }

    [Fact]
    public void Slots_and_busy_slots_move_per_device()
    {
        _metrics.SlotsStarted("cpu", 2);
        _metrics.SlotBusy("cpu");
        _metrics.SlotIdle("cpu");

        Assert.Equal([2d], Of("alpt.worker.slots").Select(m => m.Value));
        Assert.Equal([1d, -1d], Of("alpt.worker.slots.busy").Select(m => m.Value));
        Assert.All(Of("alpt.worker.slots.busy"), m => Assert.Equal("cpu", m.Tags["device"]));
    }

    [Fact]
    public void Phases_training_datasets_and_artifacts_are_timed_with_their_labels()
    {
        _metrics.TrialPhaseCompleted(new TrialLabels("asterix", "alpt", "500"), "idm", "cpu", TimeSpan.FromMilliseconds(1500));
        _metrics.TrainingSamples("cpu", "idm", 640);
        _metrics.DatasetGenerated("asterix/default", TimeSpan.FromSeconds(4));
        _metrics.ArtifactWritten("local", 1024, TimeSpan.FromMilliseconds(20));
        _metrics.ArtifactRead("local", 1024, TimeSpan.FromMilliseconds(10));

        var phase = Of("alpt.trial.phase.duration").Single();
        Assert.Equal(1.5, phase.Value);
        Assert.Equal("idm", phase.Tags["phase"]);
        Assert.Equal(640, Of("alpt.training.samples").Single().Value);
        Assert.Equal("asterix/default", Of("alpt.dataset.generation.duration").Single().Tags["environment"]);
        Assert.Equal(["write", "read"], Of("alpt.artifact.duration").Select(m => m.Tags["operation"]));
        Assert.Equal(2048, Of("alpt.artifact.size").Sum(m => m.Value));
    }

    public void Dispose()
    {
        _listener.Dispose();
        _factory.Dispose();
    }

    private IEnumerable<(string Instrument, double Value, Dictionary<string, string?> Tags)> Of(string instrument) =>
        _measurements.Where(m => m.Instrument == instrument).ToList();

    private void Record<T>(Instrument instrument, T value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        where T : struct
    {
        var labels = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            labels[tag.Key] = tag.Value?.ToString();
        }

        _measurements.Enqueue((instrument.Name, Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture), labels));
    }

    /// <summary>The smallest real IMeterFactory: owns and disposes the meters it creates.</summary>
    private sealed class OwnMeterFactory : IMeterFactory
    {
        private readonly List<Meter> _meters = [];

        public Meter Create(MeterOptions options)
        {
            var meter = new Meter(options.Name, options.Version, options.Tags, scope: this);
            _meters.Add(meter);
            return meter;
        }

        public void Dispose() => _meters.ForEach(m => m.Dispose());
    }
}
