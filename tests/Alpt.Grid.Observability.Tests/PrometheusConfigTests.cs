namespace Alpt.Grid.Observability.Tests;

public sealed class PrometheusConfigTests
{
    [Fact]
    public async Task The_deployed_prometheus_config_passes_promtool()
    {
        var (exit, output) = await ExternalTool.RunAsync(
            "promtool", ["check", "config", RepositoryFiles.PathOf("deploy/prometheus.yml")], TimeSpan.FromSeconds(30));

        Assert.True(exit == 0, output);
        Assert.Contains("SUCCESS", output, StringComparison.Ordinal);
    }

    [Fact]
    public void The_deployed_config_scrapes_the_silos_default_metrics_port_and_path()
    {
        var config = File.ReadAllText(RepositoryFiles.PathOf("deploy/prometheus.yml"));
        var defaults = new Alpt.Grid.Silo.Telemetry.SiloMetricsOptions();

        Assert.Contains("job_name: alpt-silo", config, StringComparison.Ordinal);
        Assert.Contains($"metrics_path: {defaults.Path}", config, StringComparison.Ordinal);
        Assert.Contains($":{defaults.Port}\"", config, StringComparison.Ordinal);
    }
}
