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
using Spectre.Console;

namespace Alpt.Grid.Console.Sweeps;

/// <summary>Where the console's grid is: a cluster (Azure table membership, or a gateway address) or the embedded one.</summary>
/// <param name="DataDirectory">Embedded mode: durable grid state (grain state and dataset artifacts).</param>
/// <param name="Gateway">A silo gateway to connect to ("host:port"); set from --gateway or Grid:Gateway.</param>
/// <param name="RetryTimeout">How long commands ride out transient cluster errors (Grid:ConsoleRetryTimeout).</param>
public sealed record GridTarget(GridSiloOptions Options, string DataDirectory, string? Gateway, TimeSpan RetryTimeout)
{
    /// <summary>The console's own key: how long a command retries a cluster in flux (well above its ~15 s death detection).</summary>
    public const string RetryTimeoutKey = "Grid:ConsoleRetryTimeout";

    public static readonly TimeSpan DefaultRetryTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Configuration as the silo reads it (ALPT_Grid__*, ALPT_ConnectionStrings__AlptGrid) plus the command line's choices.</summary>
    public static GridTarget Resolve(string? dataDirectory, string? gateway)
    {
        var configuration = new ConfigurationBuilder().AddEnvironmentVariables("ALPT_").Build();
        var options = GridHosting.ReadOptions(configuration);
        var retry = DefaultRetryTimeout;
        if (configuration[RetryTimeoutKey] is { } text
            && (!TimeSpan.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out retry) || retry < TimeSpan.Zero))
        {
            throw new InvalidOperationException($"{RetryTimeoutKey} (ALPT_Grid__ConsoleRetryTimeout) '{text}' is not a time span ≥ 0, e.g. 00:01:00");
        }

        return new GridTarget(
            options,
            Path.GetFullPath(dataDirectory ?? configuration["Grid:DataDirectory"] ?? Path.Combine(".alpt", "grid")),
            gateway ?? configuration["Grid:Gateway"],
            retry);
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

    private readonly IHost host;

    private readonly bool hostsSilo;

    private GridSession(IHost host, string description, bool hostsWorkers, GridCalls calls, bool hostsSilo = false)
    {
        this.host = host;
        this.hostsSilo = hostsSilo;
        Description = description;
        HostsWorkers = hostsWorkers;
        Calls = calls;
    }

    public IGrainFactory Grains => host.Services.GetRequiredService<IGrainFactory>();

    /// <summary>Grain calls that ride out a dying silo (retried for the target's retry timeout).</summary>
    public GridCalls Calls { get; }

    /// <summary>
    /// Runs grain calls (<paramref name="what"/> names them in a wait or an error: "read sweep x's status"),
    /// retrying transient cluster errors. The calls must be safe to repeat; every query and launch is.
    /// </summary>
    public Task<T> CallAsync<T>(string what, Func<IGrainFactory, Task<T>> call, CancellationToken cancellationToken, bool quiet = false, bool unbounded = false)
    {
        ArgumentNullException.ThrowIfNull(call);
        return Calls.RunAsync(what, () => call(Grains), cancellationToken, quiet, unbounded);
    }

    public string Description { get; }

    /// <summary>Whether this process runs the trials (an embedded silo with worker slots).</summary>
    public bool HostsWorkers { get; }

    /// <summary>
    /// Connects. <paramref name="workerSlots"/> non-null asks for an embedded silo with these slots
    /// ("" = one per core) when no cluster is configured.
    /// </summary>
    public static async Task<GridSession> OpenAsync(GridTarget target, string? workerSlots, IAnsiConsole console, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(console);
        if (target.IsCluster)
        {
            return await ConnectAsync(target, target.Gateway is { } g ? ParseEndpoint(g) : null, target.Describe(), console, cancellationToken);
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

            return await ConnectAsync(target, gateway, $"the embedded grid hosted by another alpt process (gateway {gateway})", console, cancellationToken);
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

            // Ctrl+C means stop now: running trials go back to the queue at once (the next run resumes them).
            o.DrainGrace = TimeSpan.Zero;
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

        return new GridSession(host, target.Describe(), workerSlots is not null && workerSlots != "none", new GridCalls(console, target.Describe(), target.RetryTimeout, TimeProvider.System), hostsSilo: true);
    }

    /// <summary>Stops the embedded silo (within Grid:ShutdownTimeout, whatever its storage does) or the client.</summary>
    public async ValueTask DisposeAsync() => await GridShutdown.StopBoundedAsync(host, hostsSilo ? null : ClientStopTimeout);

    /// <summary>A client has nothing to hand back: it closes its gateway connections or is left behind.</summary>
    private static readonly TimeSpan ClientStopTimeout = TimeSpan.FromSeconds(5);

    private static async Task<GridSession> ConnectAsync(GridTarget target, IPEndPoint? gateway, string description, IAnsiConsole console, CancellationToken cancellationToken)
    {
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

        // A gateway restarting (or a silo being replaced) refuses connections for a while: retry within
        // the console's retry window with backoff; a gateway of another cluster is not worth waiting for.
        var time = TimeProvider.System;
        var started = time.GetTimestamp();
        var tried = 0;
        Exception? last = null;
        var waiting = $"connecting to {description}";
        builder.UseOrleansClient(client => client.UseConnectionRetryFilter(async (exception, ct) =>
        {
            last = exception;
            tried++;
            if (IsOtherCluster(exception) || time.GetElapsedTime(started) >= target.RetryTimeout)
            {
                return false;
            }

            // A gateway listens only once its silo is up: one that keeps accepting and closing this client's
            // connection is refusing it (another cluster id, other TLS settings), not restarting.
            if (gateway is not null && tried >= 3 && await IsListeningAsync(gateway, ct))
            {
                return false;
            }

            waiting = $"waiting for the grid: connecting to {description} failed ({GridCalls.Reason(exception)}); retrying for {Math.Max(0, (target.RetryTimeout - time.GetElapsedTime(started)).TotalSeconds):0} s more";
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(4000, 250 * Math.Pow(2, Math.Min(tried, 5)))), time, ct);
            return true;
        }));
        var host = builder.Build();
        // An Orleans client whose gateway refuses it (a TLS certificate it does not accept, say) retries
        // without end rather than failing: give up after the retry window, with the likely reasons.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(target.RetryTimeout + TimeSpan.FromSeconds(10));
        try
        {
            var start = host.StartAsync(deadline.Token);
            await GridCalls.ShowWhileAsync(console, start, () => waiting);
            await start;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            host.Dispose();
            var cause = last ?? e;
            var listening = gateway is not null && await IsListeningAsync(gateway, CancellationToken.None);
            var ids = $"this console's cluster id '{target.Options.ClusterId}' and service id '{target.Options.ServiceId}' (ALPT_Grid__ClusterId, ALPT_Grid__ServiceId)";
            var hint = OtherClusterMessage(cause) is { } other
                ? $"the gateway belongs to another cluster ({other}): set {ids} to the silos' values"
                : gateway is null
                    ? $"is a silo of cluster '{target.Options.ClusterId}' running on that storage account? check {ids} against the silos'"
                    : listening
                        ? $"the gateway {gateway} accepts connections but closed this one: a wrong cluster or service id is the likely cause (check {ids} against the silos'), or Grid:Tls settings (ALPT_Grid__Tls__*) that do not match"
                        : $"nothing answers at {gateway}: is the silo running, and is this its gateway port?";
            throw new GridUnavailableException($"could not reach the grid: tried {description}, {Math.Max(1, tried)} time(s) in {time.GetElapsedTime(started).TotalSeconds:0} s: {GridCalls.Reason(cause)}; {hint}", e);
        }

        return new GridSession(host, description, hostsWorkers: false, new GridCalls(console, description, target.RetryTimeout, time));
    }

    /// <summary>A gateway that answered, but for another cluster (Orleans names both ids).</summary>
    private static bool IsOtherCluster(Exception? exception) => OtherClusterMessage(exception) is not null;

    private static string? OtherClusterMessage(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e.Message.Contains("Unexpected cluster id", StringComparison.OrdinalIgnoreCase))
            {
                return GridCalls.FirstLine(e.Message);
            }
        }

        return null;
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
