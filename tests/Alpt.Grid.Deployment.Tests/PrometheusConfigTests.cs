using Alpt.Grid.Observability.Tests;

namespace Alpt.Grid.Deployment.Tests;

public sealed class PrometheusConfigTests
{
    private static string[] Files { get; } = Directory.GetFiles(Repository.PathOf("deploy"), "prometheus*.yml").Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToArray();

    public static TheoryData<string> Configs() => new(Files);

    [Theory]
    [MemberData(nameof(Configs))]
    public async Task Every_prometheus_config_passes_promtool(string file)
    {
        var (exit, output) = await ExternalTool.RunAsync("promtool", ["check", "config", Repository.PathOf(Path.Combine("deploy", file))], TimeSpan.FromSeconds(30));

        Assert.True(exit == 0, output);
        Assert.Contains("SUCCESS", output, StringComparison.Ordinal);
    }

    [Fact]
    public void There_is_one_for_plain_processes_compose_and_kubernetes()
    {
        Assert.Equal(["prometheus.compose.yml", "prometheus.kubernetes.yml", "prometheus.yml"], Files);
    }
}
