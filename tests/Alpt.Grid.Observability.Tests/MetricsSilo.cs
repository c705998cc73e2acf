using Alpt.Grid.Grains.Telemetry;
using Alpt.Grid.Silo.Configuration;
using Alpt.Grid.Silo.Hosting;
using Alpt.Grid.Silo.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Alpt.Grid.Observability.Tests;

/// <summary>
/// A real grid silo, embedded in this process as `alpt` hosts it, on free loopback ports, with its
/// state in a temporary directory and /metrics on a free port.
/// </summary>
internal sealed class MetricsSilo : IAsyncDisposable
{
    private readonly IHost _host;
    private readonly string _data;

    private MetricsSilo(IHost host, string data)
    {
        _host = host;
        _data = data;
    }

    public Uri MetricsAddress => _host.Services.GetRequiredService<MetricsEndpoint>().Address
        ?? throw new InvalidOperationException("The metrics endpoint has not started.");

    public GridMetrics Metrics => _host.Services.GetRequiredService<GridMetrics>();

    public IGrainFactory Grains => _host.Services.GetRequiredService<IGrainFactory>();

    public IServiceProvider Services => _host.Services;

    public static async Task<MetricsSilo> StartAsync(Action<GridSiloOptions> configure, CancellationToken cancellationToken)
    {
        var data = Directory.CreateTempSubdirectory("alpt-metrics-silo-").FullName;
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Test" });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.AddGridSilo(options =>
        {
            options.DataDirectory = data;
            options.SiloPort = LoopbackPorts.Free();
            options.GatewayPort = LoopbackPorts.Free();
            options.SiloName = "metrics-silo";
            options.Metrics.Host = "127.0.0.1";
            options.Metrics.Port = 0;
            configure(options);
        });
        var host = builder.Build();
        await host.StartAsync(cancellationToken);
        return new MetricsSilo(host, data);
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await _host.StopAsync(timeout.Token);
        }
        finally
        {
            _host.Dispose();
            Directory.Delete(_data, recursive: true);
        }
    }
}
