using System.Net;
using System.Net.Sockets;
using Alpt.Grid.Grains.Telemetry;
using Alpt.Grid.Silo.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Alpt.Grid.Silo.Tests.Telemetry;

/// <summary>A real Orleans silo on loopback (localhost clustering) that serves /metrics on a free port.</summary>
internal sealed class MetricsSilo : IAsyncDisposable
{
    private readonly IHost _host;

    private MetricsSilo(IHost host) => _host = host;

    public Uri MetricsAddress => _host.Services.GetRequiredService<MetricsEndpoint>().Address
        ?? throw new InvalidOperationException("The metrics endpoint has not started.");

    public GridMetrics Metrics => _host.Services.GetRequiredService<GridMetrics>();

    public IServiceProvider Services => _host.Services;

    public static async Task<MetricsSilo> StartAsync(CancellationToken cancellationToken)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Silo:Metrics:Host"] = "127.0.0.1",
            ["Silo:Metrics:Port"] = "0",
        });
        builder.UseOrleans(silo => silo.UseLocalhostClustering(siloPort: FreePort(), gatewayPort: FreePort()));
        builder.Services.AddSiloMetrics(builder.Configuration);
        var host = builder.Build();
        await host.StartAsync(cancellationToken);
        return new MetricsSilo(host);
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await _host.StopAsync(timeout.Token);
        _host.Dispose();
    }

    internal static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }
}
