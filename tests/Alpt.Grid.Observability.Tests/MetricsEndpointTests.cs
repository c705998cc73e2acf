using Alpt.Grid.Grains.Telemetry;

namespace Alpt.Grid.Observability.Tests;

public sealed class MetricsEndpointTests
{
    private const string StorageSecret = "c2VjcmV0LXN0b3JhZ2Uta2V5LWZvci10ZXN0cw==";

    [Fact]
    public async Task A_silo_serves_orleans_runtime_and_alpt_metrics_on_its_metrics_port()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var silo = await MetricsSilo.StartAsync(o =>
        {
            o.Slots = "none";
            // Unused in embedded mode, but configured: it must not leak into what is exported.
            o.StorageConnectionString = $"DefaultEndpointsProtocol=http;AccountName=alpt;AccountKey={StorageSecret}";
        }, timeout.Token);
        silo.Metrics.ReportSweepProgress("sweep-a", [new("queued", 3)]);
        var trial = new TrialLabels("breakout", "alpt", "500");
        silo.Metrics.TrialSucceeded(trial, 0.8, 0.6);
        // Worse than random: a negative return must not cost the histogram its _sum.
        silo.Metrics.TrialSucceeded(trial, 0.7, -0.9);

        // Ask as Prometheus does: OpenMetrics first.
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, silo.MetricsAddress);
        request.Headers.TryAddWithoutValidation("Accept", "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5");
        using var response = await http.SendAsync(request, timeout.Token);
        var text = await response.Content.ReadAsStringAsync(timeout.Token);

        Assert.StartsWith("application/openmetrics-text", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        Assert.Contains("alpt_trials{", text, StringComparison.Ordinal);
        Assert.Contains("state=\"queued\"", text, StringComparison.Ordinal);
        Assert.Contains("alpt_trials_finished_total{", text, StringComparison.Ordinal);
        Assert.Contains("alpt_trial_normalized_return_sum{", text, StringComparison.Ordinal);
        Assert.Contains("alpt_trial_normalized_return_count{", text, StringComparison.Ordinal);
        Assert.Contains("orleans_catalog_activations{", text, StringComparison.Ordinal);
        Assert.Contains("dotnet_gc_collections_total{", text, StringComparison.Ordinal);
        Assert.DoesNotContain(StorageSecret, text, StringComparison.Ordinal);
        Assert.DoesNotContain("AccountKey", text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task The_metrics_port_is_part_of_the_grid_configuration()
    {
        var port = LoopbackPorts.Free();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var silo = await MetricsSilo.StartAsync(o =>
        {
            o.Slots = "none";
            o.Metrics.Port = port;
        }, timeout.Token);

        Assert.Equal(new Uri($"http://127.0.0.1:{port}/metrics"), silo.MetricsAddress);
    }

    [Fact]
    public void Invalid_metrics_settings_are_named_before_the_silo_starts()
    {
        var options = new Alpt.Grid.Silo.Configuration.GridSiloOptions();
        options.Metrics.Port = 70000;
        options.Metrics.Host = "metrics.local";

        var error = Assert.Throws<InvalidOperationException>(() => Alpt.Grid.Silo.Hosting.GridHosting.Validate(options));

        Assert.Contains("Grid:Metrics:Port 70000", error.Message, StringComparison.Ordinal);
        Assert.Contains("Grid:Metrics:Host", error.Message, StringComparison.Ordinal);
    }
}
