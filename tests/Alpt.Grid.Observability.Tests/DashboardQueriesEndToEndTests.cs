using Alpt.Grid.Abstractions.Environments;
using Alpt.Grid.Abstractions.Sweeps;
using Alpt.Grid.Grains.Environments;
using Alpt.Grid.Grains.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Alpt.Grid.Observability.Tests;

/// <summary>
/// The real thing: a real grid silo running a small sweep, a real Prometheus scraping its /metrics,
/// and every query of every dashboard evaluated through Prometheus' HTTP API must return data.
/// </summary>
public sealed class DashboardQueriesEndToEndTests
{
    [Fact]
    public async Task Every_dashboard_query_returns_data_from_a_prometheus_scraping_a_silo_running_a_sweep()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var silo = await MetricsSilo.StartAsync(o =>
        {
            o.Slots = "cpu*2";
            // Synthetic trials: they take time, report progress and throughput, and fail on demand.
            o.Executor.Kind = "synthetic";
            o.Executor.DelayMilliseconds = 200;
            o.Executor.ThrowSeeds = [2];
        }, timeout.Token);
        await using var prometheus = await PrometheusServer.StartAsync([silo.MetricsAddress], timeout.Token);

        await RunSweepAsync(silo, timeout.Token);

        // Grafana's $__rate_interval is at least four scrape intervals.
        var rateInterval = $"{(int)(PrometheusServer.ScrapeInterval.TotalSeconds * 15)}s";
        var queries = GrafanaDashboards.Queries();
        var missing = queries.ToList();
        while (missing.Count > 0)
        {
            var still = new List<DashboardQuery>();
            foreach (var query in missing)
            {
                if (await prometheus.QueryAsync(query.Evaluable(rateInterval), timeout.Token) == 0)
                {
                    still.Add(query);
                }
            }

            missing = still;
            if (missing.Count == 0 || timeout.Token.IsCancellationRequested || !await Delay(PrometheusServer.ScrapeInterval, timeout.Token))
            {
                break;
            }
        }

        Assert.True(missing.Count == 0, "Queries without data:\n" + string.Join("\n", missing)
            + "\nTargets: " + await prometheus.TargetHealthAsync(CancellationToken.None));

        // And the numbers are the sweep's: 12 trials, seed 2 of each of the 4 experiments failing
        // both its attempts (one retry each), every result recorded exactly once. Two more scrapes
        // first, so Prometheus holds what the silo recorded last.
        await Task.Delay(PrometheusServer.ScrapeInterval * 2, timeout.Token);
        // idm-target at two budgets and the oracle once (budget "all"), 3 seeds each; seed 2 fails both attempts.
        Assert.Equal(6, await prometheus.ValueAsync("sum(alpt_trials{sweep=\"dashboards\", state=\"succeeded\"})", timeout.Token));
        Assert.Equal(3, await prometheus.ValueAsync("sum(alpt_trials{sweep=\"dashboards\", state=\"failed\"})", timeout.Token));
        Assert.Equal(6, await prometheus.ValueAsync("sum(alpt_trials_finished_total{outcome=\"succeeded\"})", timeout.Token));
        Assert.Equal(3, await prometheus.ValueAsync("sum(alpt_trials_finished_total{outcome=\"failed\"})", timeout.Token));
        Assert.Equal(3, await prometheus.ValueAsync("sum(alpt_trial_retries_total)", timeout.Token));
        Assert.Equal(6, await prometheus.ValueAsync("sum(alpt_trial_normalized_return_count)", timeout.Token));
        Assert.Equal(2, await prometheus.ValueAsync("sum(alpt_trial_normalized_return_count{method=\"oracle\", budget=\"all\"})", timeout.Token));
        Assert.Equal(2, await prometheus.ValueAsync("sum(alpt_worker_slots{device=\"cpu\"})", timeout.Token));
        Assert.Equal(0, await prometheus.ValueAsync("sum(alpt_worker_slots_busy)", timeout.Token));
        Assert.Equal(1, await prometheus.ValueAsync("sum(alpt_dataset_generation_duration_seconds_count)", timeout.Token));
    }

    /// <summary>
    /// A sweep of 12 trials (two of them always fail and are retried to exhaustion), and the dataset
    /// an experiment needs, generated and stored once, then read back from its artifact.
    /// </summary>
    private static async Task RunSweepAsync(MetricsSilo silo, CancellationToken cancellationToken)
    {
        var spec = new SweepSpec
        {
            Name = "dashboards",
            Targets = ["breakout"],
            Budgets = [100, 500],
            Methods = ["idm-target", "oracle"],
            Seeds = [0, 1, 2],
            MaxAttempts = 2,
        };
        var sweep = silo.Grains.GetGrain<ISweepGrain>("dashboards");
        await sweep.Launch(spec);

        var datasets = new DatasetCache(
            silo.Grains,
            silo.Services.GetRequiredService<IArtifactStore>(),
            (key, _) => [.. Enumerable.Range(0, key.Transitions).Select(i => (byte)i)],
            silo.Services.GetRequiredService<IOptions<GridGrainOptions>>(),
            TimeProvider.System,
            silo.Metrics);
        var key = new DatasetKey("breakout", "default", 4096, "mixed", 0);
        await datasets.GetAsync(key, cancellationToken);
        await datasets.GetAsync(key, cancellationToken);

        while ((await sweep.GetStatus()).State == SweepState.Running)
        {
            await Task.Delay(100, cancellationToken);
        }
    }

    private static async Task<bool> Delay(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, cancellationToken);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
