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
            var app = Create(console);
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

    public static CommandApp Create(IAnsiConsole? console = null)
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
                var target = console ?? AnsiConsole.Console;
                target.MarkupLineInterpolated($"[red]error:[/] {exception.Message}");
                return exception is CommandAppException ? 2 : 1;
            });

            config.AddCommand<VersionCommand>("version")
                .WithDescription("Print the version, the TorchSharp backend in use (cpu/cuda) and its threads.");
            Commands.Environments.EnvironmentCommands.Register(config);
            Commands.Grid.GridCommands.Register(config);
            Commands.Learning.LearningCommands.Register(config);
            Commands.Sweeps.SweepCommands.Register(config);
        });
        return app;
    }
}
