using System.Net.Sockets;
using Azure;
using Polly;
using Polly.Retry;
using Spectre.Console;

namespace Alpt.Grid.Console.Sweeps;

/// <summary>The grid did not answer within the console's retry window: the message is one line saying what failed and what to check.</summary>
public sealed class GridUnavailableException(string message, Exception inner) : Exception(message, inner);

/// <summary>
/// The console's grain calls, riding out a dying silo: connection failures to a silo the cluster has
/// not yet declared dead, grain call timeouts, a gateway restarting, storage briefly down. They are
/// retried with backoff (a Polly pipeline) for <see cref="Window"/> (Grid:ConsoleRetryTimeout, well above
/// the cluster's death detection), with a spinner saying what the console waits for; past it, one
/// <see cref="GridUnavailableException"/> line. Anything else (a sweep that does not exist, a bad spec)
/// fails at once.
/// </summary>
public sealed class GridCalls(IAnsiConsole console, string description, TimeSpan window, TimeProvider time)
{
    /// <summary>The spinner only shows for a wait this long: a quick answer prints nothing extra.</summary>
    private static readonly TimeSpan SpinnerAfter = TimeSpan.FromSeconds(1);

    public TimeSpan Window { get; } = window;

    /// <summary>
    /// Runs <paramref name="call"/>, retrying transient cluster errors. <paramref name="quiet"/>: no
    /// spinner (inside another live display, such as the sweep monitor's).
    /// <paramref name="unbounded"/>: a first attempt may take as long as the grid needs (a large launch).
    /// </summary>
    public async Task<T> RunAsync<T>(string what, Func<Task<T>> call, CancellationToken cancellationToken, bool quiet = false, bool unbounded = false)
    {
        ArgumentNullException.ThrowIfNull(call);
        var started = time.GetTimestamp();
        var waiting = $"waiting for the grid to answer: {what}";
        var noted = false;
        var attempts = 0;
        var pipeline = new ResiliencePipelineBuilder<T> { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions<T>
            {
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } e && IsTransient(e) && time.GetElapsedTime(started) < Window),
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                Delay = TimeSpan.FromMilliseconds(500),
                MaxDelay = TimeSpan.FromSeconds(4),
                UseJitter = true,
                OnRetry = args =>
                {
                    var left = Window - time.GetElapsedTime(started);
                    waiting = $"waiting for the grid: {what} failed ({Reason(args.Outcome.Exception!)}); retrying for {Math.Max(0, left.TotalSeconds):0} s more";
                    if (!quiet && !Interactive && !noted)
                    {
                        // Once, past stdout, so --json output stays parseable.
                        noted = true;
                        System.Console.Error.WriteLine(waiting);
                    }

                    return ValueTask.CompletedTask;
                },
            })
            .Build();
        var ride = pipeline.ExecuteAsync(
            async ct => unbounded && attempts++ == 0 ? await call().WaitAsync(ct) : await call().WaitAsync(Window, time, ct),
            cancellationToken).AsTask();
        if (!quiet)
        {
            await ShowWhileAsync(console, ride, () => waiting);
        }

        try
        {
            return await ride;
        }
        catch (Exception e) when (IsTransient(e) && !cancellationToken.IsCancellationRequested)
        {
            throw new GridUnavailableException(
                $"could not {what} on {description}: {Reason(e)} (still failing after {Window.TotalSeconds:0} s of retries, Grid:ConsoleRetryTimeout); " +
                "check that the cluster's silos are running, and that this console's ALPT_Grid__ClusterId and ALPT_Grid__ServiceId match theirs", e);
        }
    }

    private bool Interactive => console.Profile.Capabilities.Interactive && console.Profile.Capabilities.Ansi;

    /// <summary>A spinner on a terminal while <paramref name="task"/> runs (if it takes a moment); nothing when redirected.</summary>
    internal static async Task ShowWhileAsync(IAnsiConsole console, Task task, Func<string> text)
    {
        ArgumentNullException.ThrowIfNull(console);
        if (await Task.WhenAny(task, Task.Delay(SpinnerAfter)) == task || !(console.Profile.Capabilities.Interactive && console.Profile.Capabilities.Ansi))
        {
            return;
        }

        await console.Status().Spinner(Spinner.Known.Dots).StartAsync(Markup.Escape(text()), async context =>
        {
            while (!task.IsCompleted)
            {
                context.Status(Markup.Escape(text()));
                await Task.WhenAny(task, Task.Delay(250));
            }
        });
    }

    /// <summary>
    /// Errors of a cluster in flux, worth waiting out: a silo being declared dead or a gateway restarting
    /// (connections refused or dropped, messages rejected), calls timing out, storage answering 5xx or not at all.
    /// </summary>
    public static bool IsTransient(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is AggregateException aggregate && aggregate.InnerExceptions.Any(IsTransient))
            {
                return true;
            }

            if (e is SiloUnavailableException or OrleansMessageRejectionException or GatewayTooBusyException or ClientNotAvailableException
                or TimeoutException or SocketException or System.Net.Http.HttpRequestException
                || e is RequestFailedException { Status: 0 or >= 500 }
                // Orleans' own connection errors (Orleans.Runtime.Messaging) are not all public types.
                || e.GetType().Name is "ConnectionFailedException" or "ConnectionAbortedException" or "ConnectionResetException")
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The innermost useful message, on one line (Orleans messages can carry a remote stack trace).</summary>
    public static string Reason(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var e = exception;
        while (e.InnerException is not null && (e is AggregateException || string.IsNullOrWhiteSpace(e.Message)))
        {
            e = e.InnerException;
        }

        var line = FirstLine(e.Message).TrimEnd('.');
        return line.Length > 240 ? line[..240] + "…" : line;
    }

    /// <summary>The first non-empty line of a message.</summary>
    public static string FirstLine(string message) =>
        (message ?? "").Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0) ?? "";
}
