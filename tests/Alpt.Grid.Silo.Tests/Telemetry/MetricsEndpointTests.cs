using Alpt.Grid.Grains.Telemetry;

namespace Alpt.Grid.Silo.Tests.Telemetry;

public sealed class MetricsEndpointTests
{
    [Fact]
    public async Task A_silo_serves_orleans_runtime_and_alpt_metrics_on_its_metrics_port()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var silo = await MetricsSilo.StartAsync(timeout.Token);
        silo.Metrics.ReportSweepProgress("sweep-a", [new("queued", 3)]);
        silo.Metrics.TrialSucceeded(new TrialLabels("sweep-a", "breakout", "alpt", "12m"), "cpu", TimeSpan.FromSeconds(2), 0.8, 0.6);

        using var http = new HttpClient();
        var text = await http.GetStringAsync(silo.MetricsAddress, timeout.Token);

        Assert.Contains("alpt_trials{", text, StringComparison.Ordinal);
        Assert.Contains("state=\"queued\"", text, StringComparison.Ordinal);
        Assert.Contains("alpt_trials_finished_total{", text, StringComparison.Ordinal);
        Assert.Contains("alpt_trial_normalized_return_bucket{", text, StringComparison.Ordinal);
        Assert.Contains("orleans_", text, StringComparison.Ordinal);
        Assert.Contains("dotnet_gc_", text, StringComparison.Ordinal);
    }
}
