using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using System.Net;

namespace Alpt.Grid.Silo.Telemetry;

/// <summary>
/// Serves the silo's /metrics on its own Kestrel listener and port, whatever host the silo itself
/// runs in (a generic host, a web app, the console's embedded mode). The scrape handler reads the
/// silo's own <see cref="MeterProvider"/>, so every meter added there is exported.
/// </summary>
public sealed partial class MetricsEndpoint(
    MeterProvider meterProvider,
    IOptions<SiloMetricsOptions> options,
    ILogger<MetricsEndpoint> logger) : IHostedService, IAsyncDisposable
{
    private WebApplication? _app;

    /// <summary>The address /metrics is served at, once started (e.g. http://127.0.0.1:9464/metrics).</summary>
    public Uri? Address { get; private set; }

    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (!settings.Enabled)
        {
            return;
        }

        // Unset outside GridHosting (which defaults it to where the silo listens): loopback.
        var host = settings.Host ?? IPAddress.Loopback.ToString();
        var builder = WebApplication.CreateSlimBuilder();
        // Request logs of every scrape would drown the silo's own log.
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Parse(host), settings.Port));
        var app = builder.Build();
        app.UseOpenTelemetryPrometheusScrapingEndpoint(meterProvider, predicate: null, path: settings.Path, configureBranchedPipeline: null, optionsName: null);
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            // Port taken (another silo on this machine with the default port): the silo still runs
            // its trials; it says loudly that it cannot be scraped.
            LogCannotListen(logger, e, host, settings.Port);
            await app.DisposeAsync().ConfigureAwait(false);
            return;
        }

        _app = app;

        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? $"http://{host}:{settings.Port}";
        Address = new Uri(new Uri(bound), settings.Path);
        LogServing(logger, Address);
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is { } app)
        {
            await app.StopAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_app is { } app)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            _app = null;
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Cannot serve Prometheus metrics on {Host}:{Port}; this silo runs without /metrics (set Grid:Metrics:Port to a free port)")]
    private static partial void LogCannotListen(ILogger logger, Exception e, string host, int port);

    [LoggerMessage(Level = LogLevel.Information, Message = "Serving Prometheus metrics at {Address}")]
    private static partial void LogServing(ILogger logger, Uri address);
}
