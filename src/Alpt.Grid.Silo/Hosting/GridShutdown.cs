using Alpt.Grid.Silo.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Alpt.Grid.Silo.Hosting;

/// <summary>
/// Stopping a grid host within <see cref="GridSiloOptions.ShutdownTimeout"/>, whatever storage does.
/// The host's own timeout (<see cref="HostOptions.ShutdownTimeout"/>, set by AddGridSilo a little
/// shorter) only cancels the token handed to the services; Orleans' membership provider keeps retrying
/// a table that does not answer, so a silo whose storage is down would otherwise not exit before the
/// orchestrator kills it. Past the bound the host is left behind and the process goes on to exit.
/// </summary>
public static partial class GridShutdown
{
    /// <summary>The host's share of the bound: the rest is for an ungraceful silo stop and disposal.</summary>
    public static TimeSpan HostStopTimeout(GridSiloOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.ShutdownTimeout * 5 / 6;
    }

    /// <summary>Runs a started silo host until it is asked to stop (SIGTERM, Ctrl+C), then stops it within the bound. Returns the exit code.</summary>
    public static async Task<int> RunStartedUntilStopAsync(this IHost host)
    {
        ArgumentNullException.ThrowIfNull(host);
        var stopping = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.Register(() => stopping.TrySetResult()))
        {
            await stopping.Task;
        }

        return await StopBoundedAsync(host) ? 0 : 1;
    }

    /// <summary>
    /// Stops and disposes <paramref name="host"/> within the grid's shutdown timeout (its options, or
    /// <paramref name="bound"/> for a host without them, such as a client). False if it overran and was abandoned.
    /// </summary>
    public static async Task<bool> StopBoundedAsync(IHost host, TimeSpan? bound = null)
    {
        ArgumentNullException.ThrowIfNull(host);
        var options = host.Services.GetService<IOptions<GridSiloOptions>>()?.Value;
        var limit = bound ?? options?.ShutdownTimeout ?? new GridSiloOptions().ShutdownTimeout;
        var logger = host.Services.GetService<ILoggerFactory>()?.CreateLogger(typeof(GridShutdown).FullName!) ?? NullLogger.Instance;
        var time = host.Services.GetService<TimeProvider>() ?? TimeProvider.System;
        var started = time.GetTimestamp();
        using var deadline = new CancellationTokenSource(limit, time);
        try
        {
            await host.StopAsync(deadline.Token).WaitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            LogOverran(logger, limit);
            return false;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A service that failed to stop cleanly: the process still has to go.
            LogStopFailed(logger, e);
        }

        // Disposal waits for the silo's last tasks; it gets what is left of the bound (at least a second).
        var left = limit - time.GetElapsedTime(started);
        var disposal = Task.Run(host.Dispose);
        if (await Task.WhenAny(disposal, Task.Delay(left > TimeSpan.FromSeconds(1) ? left : TimeSpan.FromSeconds(1), time)) != disposal)
        {
            LogOverran(logger, limit);
            return false;
        }

        LogStopped(logger, time.GetElapsedTime(started));
        return true;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The grid did not stop within its shutdown timeout {Timeout} (Grid:ShutdownTimeout; storage or the cluster did not answer); exiting anyway")]
    private static partial void LogOverran(ILogger logger, TimeSpan timeout);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stopping the grid failed; exiting anyway")]
    private static partial void LogStopFailed(ILogger logger, Exception e);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopped in {Elapsed}")]
    private static partial void LogStopped(ILogger logger, TimeSpan elapsed);
}
