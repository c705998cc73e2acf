using System.Text.Json;
using Spectre.Console.Testing;

namespace Alpt.Grid.Console.Tests;

/// <summary>`alpt grid slots`: the slot plan printed without touching any GPU.</summary>
public sealed class GridSlotsCommandTests
{
    private static async Task<(int Exit, string Output)> Run(params string[] args)
    {
        var console = new TestConsole();
        console.Profile.Width = 200;
        var exit = await AlptApp.RunAsync(["grid", "slots", .. args], console);
        return (exit, console.Output);
    }

    [Fact]
    public async Task The_plan_lists_each_slot_with_its_device_and_threads()
    {
        var (exit, output) = await Run("cuda*2,cpu*4", "--cores", "8");

        Assert.Equal(0, exit);
        var rows = output.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
        Assert.Equal(["slot", "device", "threads"], rows[0]);
        Assert.Equal(["0", "cuda:0", "1"], rows[1]);
        Assert.Equal(["1", "cuda:1", "1"], rows[2]);
        Assert.Equal([["2", "cpu", "2"], ["3", "cpu", "2"], ["4", "cpu", "1"], ["5", "cpu", "1"]], rows[3..7]);
        Assert.Contains("4 cpu, 2 cuda on 8 core(s)", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Gpu_means_every_visible_gpu_times_the_slots_per_gpu_as_json()
    {
        var (exit, output) = await Run("gpu", "--gpus", "4", "--per-gpu", "2", "--cores", "16", "--json");

        Assert.Equal(0, exit);
        using var json = JsonDocument.Parse(output);
        var slots = json.RootElement.GetProperty("slots").EnumerateArray().ToList();
        Assert.Equal(8, slots.Count);
        Assert.Equal(["cuda:0", "cuda:0", "cuda:1", "cuda:1", "cuda:2", "cuda:2", "cuda:3", "cuda:3"], slots.Select(s => s.GetProperty("device").GetString()));
        Assert.Equal(16, slots.Sum(s => s.GetProperty("threads").GetInt32()));
        Assert.Equal("given", json.RootElement.GetProperty("gpuSource").GetString());
    }

    [Fact]
    public async Task A_bad_spec_is_an_error_naming_the_part()
    {
        var (exit, output) = await Run("cuda:x*2");

        Assert.Equal(1, exit);
        Assert.Contains("worker slots 'cuda:x*2'", output, StringComparison.Ordinal);
        Assert.Contains("should be cuda:K", output, StringComparison.Ordinal);
    }
}
