using System.Net.Http;
using System.Net.Sockets;
using Alpt.Grid.Silo.Configuration;
using Azure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;

namespace Alpt.Grid.Silo.Hosting;

/// <summary>
/// Starting a silo process whose storage does not answer yet. Orleans creates its membership table and
/// joins the cluster during start; if storage is down then (an outage, or a silo restarted before its
/// storage is back) the start throws and the process would die. Instead the failed host is disposed and
/// a fresh one is built and started again, with backoff, for up to <see cref="GridSiloOptions.StartupStorageWait"/>.
/// Any other failure (configuration, a port in use) ends the process at once, as before.
/// </summary>
public static partial class GridStartup
{
    /// <summary>Builds a silo host with <paramref name="build"/>, starts it (again while storage is unreachable), runs it until asked to stop, and stops it within the bound. Returns the exit code.</summary>
    public static async Task<int> RunSiloAsync(Func<IHost> build)
    {
        ArgumentNullException.ThrowIfNull(build);
        var host = build();
        var options = host.Services.GetRequiredService<IOptions<GridSiloOptions>>().Value;
        var time = host.Services.GetService<TimeProvider>() ?? TimeProvider.System;
        ILogger Logger() => host.Services.GetService<ILoggerFactory>()?.CreateLogger(typeof(GridStartup).FullName!) ?? NullLogger.Instance;
        var started = time.GetTimestamp();
        var attempt = 0;
        var pipeline = new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = args => ValueTask.FromResult(
                    args.Outcome.Exception is { } e && IsStorageUnreachable(e) && time.GetElapsedTime(started) < options.StartupStorageWait),
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                Delay = TimeSpan.FromSeconds(1),
                MaxDelay = TimeSpan.FromSeconds(10),
                UseJitter = true,
                OnRetry = async args =>
                {
                    LogStorageUnreachable(Logger(), args.AttemptNumber + 1, Describe(args.Outcome.Exception!), args.RetryDelay, options.StartupStorageWait - time.GetElapsedTime(started));
                    await DisposeFailedAsync(host);
                    host = build();
                },
            })
            .Build();
        try
        {
            await pipeline.ExecuteAsync(async ct =>
            {
                attempt++;
                await host.StartAsync(ct);
            });
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogStartFailed(Logger(), e, attempt, time.GetElapsedTime(started));
            await DisposeFailedAsync(host);
            return 1;
        }

        if (attempt > 1)
        {
            LogStartedAfterRetries(Logger(), attempt, time.GetElapsedTime(started));
        }

        return await host.RunStartedUntilStopAsync();
    }

    /// <summary>A host whose start threw: its started parts are stopped and it is disposed, within the shutdown bound.</summary>
    private static async Task DisposeFailedAsync(IHost host) => await GridShutdown.StopBoundedAsync(host);

    /// <summary>Whether a failed start was storage not answering (refused, unreachable, timed out, 5xx), anywhere in its causes.</summary>
    public static bool IsStorageUnreachable(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var pending = new Stack<Exception>([exception]);
        while (pending.TryPop(out var e))
        {
            switch (e)
            {
                case RequestFailedException { Status: 0 or >= 500 }:
                case HttpRequestException:
                case SocketException:
                case TimeoutException:
                    return true;
                case AggregateException aggregate:
                    foreach (var inner in aggregate.InnerExceptions)
                    {
                        pending.Push(inner);
                    }

                    break;
                default:
                    if (e.InnerException is { } next)
                    {
                        pending.Push(next);
                    }

                    break;
            }
        }

        return false;
    }

    private static string Describe(Exception exception)
    {
        var root = exception;
        while (root.InnerException is { } inner)
        {
            root = inner;
        }

        return $"{exception.GetType().Name}: {root.Message}";
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Storage does not answer at start (attempt {Attempt}: {Error}); starting the silo again in {Delay} ({Left} left of Grid:StartupStorageWait)")]
    private static partial void LogStorageUnreachable(ILogger logger, int attempt, string error, TimeSpan delay, TimeSpan left);

    [LoggerMessage(Level = LogLevel.Critical, Message = "The silo could not start (attempt {Attempt}, {Elapsed} after the first)")]
    private static partial void LogStartFailed(ILogger logger, Exception e, int attempt, TimeSpan elapsed);

    [LoggerMessage(Level = LogLevel.Information, Message = "Started on attempt {Attempt}, {Elapsed} after the first")]
    private static partial void LogStartedAfterRetries(ILogger logger, int attempt, TimeSpan elapsed);
}
