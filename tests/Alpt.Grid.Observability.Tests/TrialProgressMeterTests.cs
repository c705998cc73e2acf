using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Alpt.Grid.Abstractions.Trials;
using Alpt.Grid.Grains.Telemetry;
using Alpt.Grid.Silo.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Alpt.Grid.Observability.Tests;

public sealed class TrialProgressMeterTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().AddSingleton<GridMetrics>().BuildServiceProvider();
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<(string Instrument, double Value, string? Phase)> _seen = new();

    public TrialProgressMeterTests()
    {
        var meter = _services.GetRequiredService<GridMetrics>().Meter;
        _listener.InstrumentPublished = (i, l) =>
        {
            if (ReferenceEquals(i.Meter, meter))
            {
                l.EnableMeasurementEvents(i);
            }
        };
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => _seen.Enqueue((i.Name, v, Phase(tags))));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => _seen.Enqueue((i.Name, v, Phase(tags))));
        _listener.Start();
    }

    [Fact]
    public void Phases_are_timed_between_reports_and_samples_follow_the_reported_rate()
    {
        var clock = new FakeTimeProvider();
        var meter = new TrialProgressMeter(_services.GetRequiredService<GridMetrics>(), new TrialLabels("breakout", "alpt", "500"), "cpu", clock);

        meter.Observe(new TrialProgress("idm", 1, 100, SamplesPerSecond: 1000));
        clock.Advance(TimeSpan.FromSeconds(2));
        meter.Observe(new TrialProgress("idm", 50, 100, SamplesPerSecond: 1000));
        clock.Advance(TimeSpan.FromSeconds(1));
        meter.Observe(new TrialProgress("policy", 1, 10, SamplesPerSecond: 500));
        clock.Advance(TimeSpan.FromSeconds(4));
        meter.Observe(new TrialProgress("policy", 10, 10, SamplesPerSecond: 500));
        meter.Complete();

        var phases = _seen.Where(m => m.Instrument == "alpt.trial.phase.duration").Select(m => (m.Phase, m.Value)).ToList();
        Assert.Equal([("idm", 3d), ("policy", 4d)], phases);
        var samples = _seen.Where(m => m.Instrument == "alpt.training.samples").Select(m => (m.Phase, m.Value)).ToList();
        Assert.Equal([("idm", 2000d), ("policy", 2000d)], samples);
    }

    [Fact]
    public void A_trial_that_reports_no_throughput_counts_no_samples()
    {
        var clock = new FakeTimeProvider();
        var meter = new TrialProgressMeter(_services.GetRequiredService<GridMetrics>(), new TrialLabels("freeway", "oracle", "100"), "cpu", clock);

        meter.Observe(new TrialProgress("eval", 1, 2));
        clock.Advance(TimeSpan.FromSeconds(1));
        meter.Observe(new TrialProgress("eval", 2, 2));
        meter.Complete();

        Assert.DoesNotContain(_seen, m => m.Instrument == "alpt.training.samples");
        Assert.Equal(1d, Assert.Single(_seen, m => m.Instrument == "alpt.trial.phase.duration").Value);
    }

    public void Dispose()
    {
        _listener.Dispose();
        _services.Dispose();
    }

    private static string? Phase(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == "phase")
            {
                return tag.Value as string;
            }
        }

        return null;
    }
}
