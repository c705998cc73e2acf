using System.ComponentModel;
using System.Reflection;
using Alpt.Learning.Runtime;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Alpt.Grid.Console.Commands;

/// <summary>`alpt version`: the product version and the TorchSharp backend this build uses.</summary>
public sealed class VersionCommand(IAnsiConsole console) : Command<VersionCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--json")]
        [Description("Print as JSON.")]
        public bool Json { get; init; }
    }

    public static string ProductVersion { get; } =
        typeof(VersionCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var torch = TorchRuntime.Describe();
        var backend = torch.Backend.ToString().ToLowerInvariant();
        if (settings.Json)
        {
            console.WriteJson(new
            {
                version = ProductVersion,
                runtime = Environment.Version.ToString(),
                torchBackend = backend,
                torchSharp = torch.TorchSharpVersion,
                threads = torch.Threads,
                cudaAvailable = torch.CudaAvailable,
                cudaDevices = torch.CudaDevices,
            });
            return 0;
        }

        console.WriteLine($"alpt {ProductVersion} (.NET {Environment.Version})");
        console.WriteLine($"TorchSharp {torch.TorchSharpVersion}, backend {backend}, {torch.Threads} thread(s)");
        console.WriteLine(torch.CudaAvailable ? $"CUDA: {torch.CudaDevices} device(s)" : "CUDA: not available");
        return 0;
    }
}
