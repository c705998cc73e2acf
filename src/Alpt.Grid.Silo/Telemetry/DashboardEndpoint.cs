using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Dashboard;

namespace Alpt.Grid.Silo.Telemetry;

/// <summary>
/// Where a silo serves the Orleans dashboard: <c>GridSiloOptions.Dashboard</c>, bound from <c>Grid:Dashboard</c>
/// (environment <c>ALPT_Grid__Dashboard__Port</c>, …). Off unless a port is set.
/// </summary>
public sealed class SiloDashboardOptions
{
    /// <summary>TCP port of the dashboard; unset (the default) serves none; 0 picks a free one (see <see cref="DashboardEndpoint.Address"/>).</summary>
    public int? Port { get; set; }

    /// <summary>
    /// The interface to listen on: loopback unless set, whatever the silo listens on (the dashboard has no
    /// authentication and shows grain state). 0.0.0.0 for every interface, e.g. a container whose port is published.
    /// </summary>
    public string Host { get; set; } = IPAddress.Loopback.ToString();

    public bool Enabled => Port is not null;

    /// <summary>What is wrong with these options, naming each setting; empty when they are usable.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (Port is < 0 or > 65535)
        {
            problems.Add($"Grid:Dashboard:Port {Port} must be in 0..65535");
        }

        if (!IPAddress.TryParse(Host, out _))
        {
            problems.Add($"Grid:Dashboard:Host '{Host}' is not an IP address (0.0.0.0 for every interface)");
        }

        return problems;
    }
}

/// <summary>
/// Serves the Orleans dashboard (Microsoft.Orleans.Dashboard, added to the silo by <c>AddDashboard</c>) on
/// its own Kestrel listener, like /metrics, whatever host the silo runs in. The dashboard's endpoints read
/// its services (client, assets, options, log stream) from the silo: they are handed over from the silo's
/// container, so the page shows this silo's cluster.
/// </summary>
public sealed partial class DashboardEndpoint(
    IServiceProvider silo,
    IReadOnlyList<Type> dashboardServices,
    SiloDashboardOptions options,
    ILogger<DashboardEndpoint> logger) : IHostedService, IAsyncDisposable
{
    private WebApplication? _app;

    /// <summary>The dashboard's address once started (e.g. http://127.0.0.1:8080/).</summary>
    public Uri? Address { get; private set; }

    /// <summary>The service types the dashboard registered in the silo's container (found by its assembly).</summary>
    public static IReadOnlyList<Type> ServicesOf(IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var assembly = typeof(DashboardOptions).Assembly;
        return [.. services.Where(d => d.ServiceKey is null && !d.ServiceType.IsGenericTypeDefinition
                && (d.ServiceType.Assembly == assembly || d.ImplementationType?.Assembly == assembly) && d.ServiceType != typeof(IHostedService)
                && d.ServiceType.Namespace?.StartsWith("Microsoft.Extensions.Logging", StringComparison.Ordinal) != true)
            .Select(d => d.ServiceType).Distinct()];
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var port = options.Port ?? throw new InvalidOperationException("the dashboard endpoint runs only with Grid:Dashboard:Port set");
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Parse(options.Host), port));
        foreach (var type in dashboardServices)
        {
            builder.Services.AddSingleton(type, _ => silo.GetRequiredService(type));
        }

        builder.Services.AddSingleton(_ => silo.GetRequiredService<Microsoft.Extensions.Options.IOptions<DashboardOptions>>());
        var app = builder.Build();
        app.MapOrleansDashboard();
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            // Port taken: the silo runs on without its dashboard, and says so.
            LogCannotListen(logger, e, options.Host, port);
            await app.DisposeAsync().ConfigureAwait(false);
            return;
        }

        _app = app;
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? $"http://{options.Host}:{port}";
        Address = new Uri(bound.TrimEnd('/') + "/");
        LogServing(logger, Address);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is { } app)
        {
            await app.StopAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is { } app)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            _app = null;
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Cannot serve the Orleans dashboard on {Host}:{Port}; this silo runs without it (set Grid:Dashboard:Port to a free port)")]
    private static partial void LogCannotListen(ILogger logger, Exception e, string host, int port);

    [LoggerMessage(Level = LogLevel.Information, Message = "Serving the Orleans dashboard at {Address}")]
    private static partial void LogServing(ILogger logger, Uri address);
}
