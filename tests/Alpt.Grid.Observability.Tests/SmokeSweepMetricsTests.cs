using Alpt.Grid.Abstractions.Sweeps;

namespace Alpt.Grid.Observability.Tests;

/// <summary>
/// The learning side of the dashboards with real trials: a silo running smoke-sized ALPT trials
/// (real datasets, real IDM and policy training), scraped by a real Prometheus.
/// </summary>
public sealed class SmokeSweepMetricsTests
{
    [Fact]
    public async Task Real_smoke_trials_export_accuracy_returns_phases_throughput_and_dataset_timings()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await using var silo = await MetricsSilo.StartAsync(o =>
        {
            o.Slots = "cpu*2";
            o.Executor.Kind = "learning";
        }, timeout.Token);
        await using var prometheus = await PrometheusServer.StartAsync([silo.MetricsAddress], timeout.Token);

        var spec = new SweepSpec
        {
            Name = "smoke-metrics",
            Targets = ["freeway"],
            SourceSets = [["asterix"]],
            Budgets = [100],
            Methods = ["idm-target", "alpt"],
            Seeds = [0],
            Preset = "smoke",
        };
        var sweep = silo.Grains.GetGrain<ISweepGrain>(spec.Name);
        await sweep.Launch(spec);
        SweepStatus status;
        while ((status = await sweep.GetStatus()).State == SweepState.Running)
        {
            await Task.Delay(200, timeout.Token);
        }

        Assert.Equal(SweepState.Completed, status.State);
        Assert.True(status.Counts.Succeeded == 2, $"{status.Counts}; errors: {string.Join(" | ", status.RecentErrors)}");
        // Wait until Prometheus has scraped what the silo recorded last.
        await WhenPresentAsync(prometheus, "sum(alpt_dataset_generation_duration_seconds_count)", 2, timeout.Token);
        await WhenPresentAsync(prometheus, "sum(alpt_trials_finished_total{target=\"freeway\", outcome=\"succeeded\"})", 2, timeout.Token);
        Assert.Equal(2, await prometheus.ValueAsync("sum(alpt_trials_finished_total{target=\"freeway\", outcome=\"succeeded\"})", timeout.Token));
        Assert.Equal(2, await prometheus.ValueAsync("sum(alpt_trial_idm_accuracy_count{target=\"freeway\"})", timeout.Token));
        var accuracy = await prometheus.ValueAsync("sum(alpt_trial_idm_accuracy_sum) / sum(alpt_trial_idm_accuracy_count)", timeout.Token);
        Assert.InRange(accuracy ?? -1, 0, 1);
        Assert.Equal(2, await prometheus.ValueAsync("sum(alpt_trial_normalized_return_count{target=\"freeway\"})", timeout.Token));
        // Both methods train an IDM, label, train a policy and evaluate it: several phases, each timed.
        Assert.True(await prometheus.QueryAsync("sum by (phase) (alpt_trial_phase_duration_seconds_count{method=\"alpt\"})", timeout.Token) >= 3);
        Assert.True(await prometheus.ValueAsync("sum(alpt_training_samples_total)", timeout.Token) > 0);
        // The target's and the source's datasets: generated once each, however many trials need them.
        Assert.Equal(2, await prometheus.ValueAsync("sum(alpt_dataset_generation_duration_seconds_count)", timeout.Token));
    }

    private static async Task WhenPresentAsync(PrometheusServer prometheus, string promql, double value, CancellationToken cancellationToken)
    {
        using var patience = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        patience.CancelAfter(TimeSpan.FromSeconds(30));
        while (!patience.IsCancellationRequested && await prometheus.ValueAsync(promql, cancellationToken) != value)
        {
            await Task.Delay(PrometheusServer.ScrapeInterval, cancellationToken);
        }
    }
}
