using Alpt.Grid.Grains.Telemetry;

namespace Alpt.Grid.Silo.Tests.Telemetry;

/// <summary>
/// The real thing: a real silo serving /metrics, a real Prometheus scraping it, and every query of
/// every dashboard evaluated through Prometheus' HTTP API must return data.
/// </summary>
public sealed class DashboardQueriesEndToEndTests
{
    [Fact]
    public async Task Every_dashboard_query_returns_data_from_a_prometheus_scraping_a_silo()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await using var silo = await MetricsSilo.StartAsync(timeout.Token);
        await using var prometheus = await PrometheusServer.StartAsync([silo.MetricsAddress], timeout.Token);

        await RunWorkloadAsync(silo, timeout.Token);

        // Grafana's $__rate_interval is at least four scrape intervals.
        var rateInterval = $"{(int)(PrometheusServer.ScrapeInterval.TotalSeconds * 15)}s";
        var queries = GrafanaDashboards.Queries();
        var missing = queries.ToList();
        while (missing.Count > 0 && !timeout.IsCancellationRequested)
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
            if (missing.Count > 0)
            {
                await Task.Delay(PrometheusServer.ScrapeInterval, CancellationToken.None);
            }
        }

        Assert.True(missing.Count == 0, "Queries without data:\n" + string.Join("\n", missing));
    }

    private static async Task RunWorkloadAsync(MetricsSilo silo, CancellationToken cancellationToken)
    {
        var metrics = silo.Metrics;
        metrics.SlotsStarted("cpu", 2);
        metrics.ReportSweepProgress("e2e", [new("queued", 4)]);
        metrics.ReportQueueDepth(4);
        var methods = new[] { "alpt", "idm-target", "labelled-only", "oracle" };
        for (var i = 0; i < methods.Length; i++)
        {
            var trial = new TrialLabels("e2e", "breakout", methods[i], "12m");
            metrics.SlotBusy("cpu");
            metrics.DatasetGenerated("breakout/default", TimeSpan.FromMilliseconds(30));
            metrics.ArtifactWritten("local", 4096, TimeSpan.FromMilliseconds(2));
            metrics.ArtifactRead("local", 4096, TimeSpan.FromMilliseconds(1));
            metrics.TrainingSamples("cpu", "idm", 256);
            metrics.TrialPhaseCompleted(trial, "idm", "cpu", TimeSpan.FromMilliseconds(40));
            metrics.TrialSucceeded(trial, "cpu", TimeSpan.FromMilliseconds(80), methods[i].Contains("idm", StringComparison.Ordinal) || methods[i] == "alpt" ? 0.9 : null, 0.5);
            metrics.SlotIdle("cpu");
            metrics.ReportQueueDepth(methods.Length - i - 1);
            metrics.ReportSweepProgress("e2e", [new("queued", methods.Length - i - 1), new("succeeded", i + 1)]);
            await Task.Delay(200, cancellationToken);
        }
    }
}
