using System.Text.Json;
using Alpt.Learning.Runtime;
using Spectre.Console.Testing;

namespace Alpt.Grid.Console.Tests;

public sealed class VersionCommandTests
{
    [Fact]
    public async Task Version_prints_the_backend_and_threads_as_json()
    {
        var console = new TestConsole();

        var exit = await AlptApp.RunAsync(["version", "--json"], console);

        Assert.Equal(0, exit);
        using var json = JsonDocument.Parse(console.Output.Trim());
        // What this build carries (AlptTorchBackend), not an assumption of the CPU build.
        Assert.Equal(TorchRuntime.Backend.ToString().ToLowerInvariant(), json.RootElement.GetProperty("torchBackend").GetString());
        Assert.True(json.RootElement.GetProperty("threads").GetInt32() >= 1);
        var devices = TorchRuntime.CudaDeviceCount();
        Assert.Equal(devices > 0, json.RootElement.GetProperty("cudaAvailable").GetBoolean());
        Assert.Equal(devices, json.RootElement.GetProperty("cudaDevices").GetInt32());
    }

    [Fact]
    public async Task Help_lists_the_commands()
    {
        var console = new TestConsole();

        var exit = await AlptApp.RunAsync(["--help"], console);

        Assert.Equal(0, exit);
        Assert.Contains("version", console.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_command_fails_with_a_message()
    {
        var console = new TestConsole();

        var exit = await AlptApp.RunAsync(["frobnicate"], console);

        Assert.NotEqual(0, exit);
        Assert.Contains("frobnicate", console.Output, StringComparison.Ordinal);
    }
}
