using Alpt.Grid.Console.Commands;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Alpt.Grid.Console;

/// <summary>The `alpt` command tree. Each concern adds its branch here.</summary>
public static class AlptApp
{
    public static async Task<int> RunAsync(string[] args, IAnsiConsole? console = null)
    {
        using var cancellation = new CancellationTokenSource();
        System.Console.CancelKeyPress += OnCancel;

        // SIGTERM (docker stop, kill) stops as cleanly as Ctrl+C: a sweep run stays resumable.
        using var terminate = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            cancellation.Cancel();
        });
        try
        {
            var app = Create(console, verbose: args.Contains("--verbose", StringComparer.Ordinal));
            return await app.RunAsync(args, cancellation.Token).ConfigureAwait(false);
        }
        finally
        {
            System.Console.CancelKeyPress -= OnCancel;
        }

        void OnCancel(object? sender, ConsoleCancelEventArgs e)
        {
            // First Ctrl+C asks running work to stop cleanly; a second one kills the process.
            if (!cancellation.IsCancellationRequested)
            {
                e.Cancel = true;
                cancellation.Cancel();
            }
        }
    }

    /// <summary>The command tree. <paramref name="verbose"/>: errors with their exception and stack trace, not one line.</summary>
    public static CommandApp Create(IAnsiConsole? console = null, bool verbose = false)
    {
        var app = new CommandApp();
        app.Configure(config =>
        {
            config.SetApplicationName("alpt");
            config.SetApplicationVersion(VersionCommand.ProductVersion);
            if (console is not null)
            {
                config.ConfigureConsole(console);
            }

            config.SetExceptionHandler((exception, _) =>
            {
                WriteError(console ?? AnsiConsole.Console, exception, verbose);
                return exception is CommandAppException ? 2 : 1;
            });

            config.AddCommand<VersionCommand>("version")
                .WithDescription("Print the version, the TorchSharp backend in use (cpu/cuda) and its threads.");
            Commands.Grid.GridCommands.Register(config);
            Commands.Environments.EnvironmentCommands.Register(config);
            Commands.Learning.LearningCommands.Register(config);
            Commands.Sweeps.SweepCommands.Register(config);
        });
        return app;
    }

    /// <summary>
    /// One line, "error: what failed", never a stack trace (Orleans' messages can carry a remote one),
    /// written past Spectre's wrapping so it stays one line in a log; everything with --verbose.
    /// </summary>
    internal static void WriteError(IAnsiConsole console, Exception exception, bool verbose)
    {
        var line = Sweeps.GridCalls.FirstLine(exception.Message);
        if (console.Profile.Capabilities.Interactive && console.Profile.Capabilities.Ansi)
        {
            console.MarkupLineInterpolated($"[red]error:[/] {line}");
        }
        else
        {
            console.WriteRaw($"error: {line}{Environment.NewLine}");
        }

        if (verbose)
        {
            console.WriteRaw(exception + Environment.NewLine);
        }
        else if (exception is not CommandAppException && exception.InnerException is not null && console.Profile.Capabilities.Interactive)
        {
            console.MarkupLine("[grey](--verbose shows the full error)[/]");
        }
    }
}
