using System.Net;
using System.Net.Sockets;
using Alpt.Grid.Silo.Configuration;
using Alpt.Grid.Silo.Hosting;
using Alpt.Grid.Silo.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;

namespace Alpt.Grid.Console.Sweeps;

/// <summary>Where the console's grid is: a cluster (Azure table membership, or a gateway address) or the embedded one.</summary>
/// <param name="DataDirectory">Embedded mode: durable grid state (grain state and dataset artifacts).</param>
/// <param name="Gateway">A silo gateway to connect to ("host:port"); set from --gateway or Grid:Gateway.</param>
public sealed record GridTarget(GridSiloOptions Options, string DataDirectory, string? Gateway)
{
    /// <summary>Configuration as the silo reads it (ALPT_Grid__*, ALPT_ConnectionStrings__AlptGrid) plus the command line's choices.</summary>
    public static GridTarget Resolve(string? dataDirectory, string? gateway)
    {
        var configuration = new ConfigurationBuilder().AddEnvironmentVariables("ALPT_").Build();
        var options = GridHosting.ReadOptions(configuration);
        return new GridTarget(
            options,
            Path.GetFullPath(dataDirectory ?? configuration["Grid:DataDirectory"] ?? Path.Combine(".alpt", "grid")),
            gateway ?? configuration["Grid:Gateway"]);
    }

    /// <summary>A cluster is configured: Azure table membership, or a gateway to talk to.</summary>
    public bool IsCluster => Options.Clustering == ClusteringMode.Azure || Gateway is not null;

    public string Describe() => Options.Clustering == ClusteringMode.Azure
        ? $"cluster '{Options.ClusterId}' (service '{Options.ServiceId}') through Azure table membership in the configured storage account"
        : Gateway is not null
            ? $"cluster '{Options.ClusterId}' through the gateway {Gateway}"
            : $"the embedded grid in {DataDirectory}";
}

/// <summary>
/// A connection to the grid for one command: a client of a cluster, a client of the embedded grid that
/// another `alpt sweep run` is hosting, or an embedded silo started here (with worker slots for
/// `sweep run`, without for queries).
/// </summary>
public sealed class GridSession : IAsyncDisposable
{
    /// <summary>An embedded lease only has to outlive a crashed process of our own: short, so a resumed run re-runs its seeds soon.</summary>
    public static readonly TimeSpan EmbeddedLease = TimeSpan.FromSeconds(15);

    /// <summary>How long connecting to a cluster may take before the console gives up.</summary>
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(60);

    private readonly IHost host;

    private GridSession(IHost host, string description, bool hostsWorkers)
    {
        this.host = host;
        Description = description;
        HostsWorkers = hostsWorkers;
    }

    public IGrainFactory Grains => host.Services.GetRequiredService<IGrainFactory>();

    public string Description { get; }

    /// <summary>Whether this process runs the trials (an embedded silo with worker slots).</summary>
    public bool HostsWorkers { get; }

    /// <summary>
    /// Connects. <paramref name="workerSlots"/> non-null asks for an embedded silo with these slots
    /// ("" = one per core) when no cluster is configured.
    /// </summary>
    public static async Task<GridSession> OpenAsync(GridTarget target, string? workerSlots, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (target.IsCluster)
        {
            return await ConnectAsync(target, target.Gateway is { } g ? ParseEndpoint(g) : null, target.Describe(), cancellationToken);
        }

        // Another alpt process hosts this data directory only if it holds the directory's lock; a
        // gateway port that answers may belong to an unrelated silo.
        var gateway = new IPEndPoint(IPAddress.Loopback, target.Options.GatewayPort);
        if (DataDirectoryLock.IsHeld(target.DataDirectory))
        {
            if (!await IsListeningAsync(gateway, cancellationToken))
            {
                throw new InvalidOperationException(
                    $"another process holds the embedded grid in {Path.GetFullPath(target.DataDirectory)}, but nothing answers on its gateway {gateway}; " +
                    "stop that process (or wait for it to finish) and run again");
            }

            if (workerSlots is not null)
            {
                throw new InvalidOperationException(
                    $"another alpt process is hosting the embedded grid (its gateway answers on {gateway}); " +
                    "watch it with `alpt sweep watch <id>`, or stop it first (Ctrl+C) and run again to resume");
            }

            return await ConnectAsync(target, gateway, $"the embedded grid hosted by another alpt process (gateway {gateway})", cancellationToken);
        }

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Embedded", Args = [], DisableDefaults = true });
        builder.Configuration.AddEnvironmentVariables("ALPT_");
        builder.Logging.ClearProviders();
        builder.AddGridSilo(o =>
        {
            o.Clustering = ClusteringMode.Embedded;
            o.DataDirectory = target.DataDirectory;
            o.Slots = workerSlots ?? "none";
            if (o.LeaseDuration > EmbeddedLease)
            {
                o.LeaseDuration = EmbeddedLease;
                o.HeartbeatInterval = TimeSpan.FromSeconds(3);
            }
        });
        var host = builder.Build();
        try
        {
            await host.StartAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            host.Dispose();
            throw new InvalidOperationException($"could not start the embedded grid in {target.DataDirectory} (ports {target.Options.SiloPort}/{target.Options.GatewayPort}): {e.GetBaseException().Message}", e);
        }

        return new GridSession(host, target.Describe(), workerSlots is not null && workerSlots != "none");
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await host.StopAsync(stop.Token);
        }
        finally
        {
            host.Dispose();
        }
    }

    private static async Task<GridSession> ConnectAsync(GridTarget target, IPEndPoint? gateway, string description, CancellationToken cancellationToken)
    {
        const int attempts = 3;
        var tried = 0;
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Client", Args = [], DisableDefaults = true });
        builder.Configuration.AddEnvironmentVariables("ALPT_");
        builder.Logging.ClearProviders();
        if (gateway is null)
        {
            builder.AddGridClient(o => o.Clustering = target.Options.Clustering);
        }
        else
        {
            builder.UseOrleansClient(client =>
            {
                client.Configure<ClusterOptions>(c =>
                {
                    c.ClusterId = target.Options.ClusterId;
                    c.ServiceId = target.Options.ServiceId;
                });
                client.UseStaticClustering(gateway);
                client.UseGridTls(target.Options.Tls);
            });
        }

        builder.UseOrleansClient(client => client.UseConnectionRetryFilter(async (_, ct) =>
        {
            if (++tried >= attempts)
            {
                return false;
            }

            await Task.Delay(TimeSpan.FromSeconds(1), ct);
            return true;
        }));
        var host = builder.Build();
        // An Orleans client whose gateway refuses it (a TLS certificate it does not accept, say) retries
        // without end rather than failing: give up after a while, with the likely reasons.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(ConnectTimeout);
        try
        {
            await host.StartAsync(deadline.Token);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            host.Dispose();
            throw new InvalidOperationException(
                $"could not reach the grid within {ConnectTimeout.TotalSeconds:0} s: tried {description}; is it running, and do its Grid:Tls settings match this console's (ALPT_Grid__Tls__*)?", e);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            host.Dispose();
            throw new InvalidOperationException($"could not reach the grid: tried {description}, {Math.Max(1, tried)} time(s): {e.GetBaseException().Message}", e);
        }

        return new GridSession(host, description, hostsWorkers: false);
    }

    private static IPEndPoint ParseEndpoint(string text)
    {
        if (IPEndPoint.TryParse(text, out var endpoint) && endpoint.Port != 0)
        {
            return endpoint;
        }

        var colon = text.LastIndexOf(':');
        if (colon > 0 && int.TryParse(text.AsSpan(colon + 1), System.Globalization.CultureInfo.InvariantCulture, out var port) && port is > 0 and < 65536)
        {
            var addresses = Dns.GetHostAddresses(text[..colon]);
            if (addresses.Length > 0)
            {
                return new IPEndPoint(addresses[0], port);
            }
        }

        throw new ArgumentException($"gateway '{text}' should be HOST:PORT (e.g. 127.0.0.1:30000)");
    }

    private static async Task<bool> IsListeningAsync(IPEndPoint endpoint, CancellationToken cancellationToken)
    {
        using var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(1));
        try
        {
            await socket.ConnectAsync(endpoint, timeout.Token);
            return true;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }
}
