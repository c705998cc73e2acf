using System.Text.Json;
using Spectre.Console.Testing;

namespace Alpt.Grid.Console.Tests;

public sealed class EnvironmentCommandsTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("alpt-console-env-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static async Task<(int Exit, string Output)> Run(params string[] args)
    {
        var console = new TestConsole();
        console.Profile.Width = 200;
        var exit = await AlptApp.RunAsync(args, console);
        return (exit, console.Output);
    }

    [Fact]
    public async Task Env_list_json_has_every_game_with_reference_returns()
    {
        var (exit, output) = await Run("env", "list", "--json");

        Assert.Equal(0, exit);
        using var json = JsonDocument.Parse(output);
        var games = json.RootElement.GetProperty("games").EnumerateArray().ToList();
        Assert.Equal(["breakout", "space-invaders", "freeway", "asterix", "seaquest"], games.Select(g => g.GetProperty("name").GetString()));
        foreach (var game in games)
        {
            var variants = game.GetProperty("variants").EnumerateArray().ToList();
            Assert.True(variants.Count >= 2);
            foreach (var variant in variants)
            {
                Assert.True(variant.GetProperty("expertReturn").GetDouble() > variant.GetProperty("randomReturn").GetDouble());
                Assert.Equal(100, variant.GetProperty("episodes").GetInt32());
            }
        }
    }

    [Fact]
    public async Task Dataset_generate_then_info_round_trips_the_spec_and_sizes()
    {
        var file = Path.Combine(_directory, "breakout.alptds");

        var (generateExit, generated) = await Run("dataset", "generate", "--env", "breakout", "--variant", "hard", "--transitions", "4000", "--seed", "9", "--out", file);
        var (infoExit, info) = await Run("dataset", "info", file, "--json");

        Assert.Equal(0, generateExit);
        Assert.Contains("4,000 transitions", generated, StringComparison.Ordinal);
        Assert.Equal(0, infoExit);
        using var json = JsonDocument.Parse(info);
        var root = json.RootElement;
        Assert.Equal(4000, root.GetProperty("transitions").GetInt32());
        Assert.Equal("breakout", root.GetProperty("spec").GetProperty("game").GetString());
        Assert.Equal("hard", root.GetProperty("spec").GetProperty("variant").GetString());
        Assert.Equal(9UL, root.GetProperty("spec").GetProperty("seed").GetUInt64());
        Assert.Equal(4000, root.GetProperty("actions").EnumerateArray().Sum(a => a.GetProperty("count").GetInt64()));
        Assert.Equal(5, root.GetProperty("behaviours").GetArrayLength());
        var returns = root.GetProperty("returns");
        Assert.True(returns.GetProperty("max").GetDouble() >= returns.GetProperty("min").GetDouble());
    }

    [Fact]
    public async Task Dataset_info_on_a_corrupt_file_fails_with_a_clear_error()
    {
        var file = Path.Combine(_directory, "d.alptds");
        await Run("dataset", "generate", "--env", "freeway", "--transitions", "1000", "--seed", "1", "--out", file);
        var bytes = await File.ReadAllBytesAsync(file);
        await File.WriteAllBytesAsync(file, bytes[..(bytes.Length / 2)]);

        var (exit, output) = await Run("dataset", "info", file);

        Assert.NotEqual(0, exit);
        Assert.Contains("truncated", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dataset_generate_rejects_missing_and_unknown_arguments()
    {
        var (missing, missingOutput) = await Run("dataset", "generate", "--env", "breakout", "--out", Path.Combine(_directory, "x"));
        var (unknown, unknownOutput) = await Run("dataset", "generate", "--env", "pong", "--transitions", "10", "--out", Path.Combine(_directory, "y"));

        Assert.NotEqual(0, missing);
        Assert.Contains("--transitions", missingOutput, StringComparison.Ordinal);
        Assert.NotEqual(0, unknown);
        Assert.Contains("Unknown game 'pong'", unknownOutput, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_directory));
    }

    [Fact]
    public async Task Env_bench_runs_with_a_tiny_step_count()
    {
        var (exit, output) = await Run("env", "bench", "--json", "--steps", "2000", "--dataset-transitions", "500");

        Assert.Equal(0, exit);
        using var json = JsonDocument.Parse(output);
        var games = json.RootElement.GetProperty("games").EnumerateArray().ToList();
        Assert.Equal(10, games.Count);
        Assert.Equal(5, games.Select(g => g.GetProperty("game").GetString()).Distinct().Count());
        Assert.All(games, g => Assert.True(g.GetProperty("stepsPerSecond").GetDouble() > 0 && g.GetProperty("stepsPerCpuSecond").GetDouble() > 0));
        Assert.Equal(500, json.RootElement.GetProperty("generation").GetProperty("transitions").GetInt32());
    }

    [Fact]
    public async Task Env_play_draws_frames_and_ends_on_its_own()
    {
        var (exit, output) = await Run("env", "play", "space-invaders", "--episodes", "2", "--delay-ms", "0", "--max-steps", "5");

        Assert.Equal(0, exit);
        Assert.Contains("episode 1: return", output, StringComparison.Ordinal);
        Assert.Contains("episode 2: return", output, StringComparison.Ordinal);
        Assert.Contains("step 5", output, StringComparison.Ordinal);
        Assert.Contains("██", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Env_play_an_unknown_game_names_the_games()
    {
        var (exit, output) = await Run("env", "play", "pacman", "--delay-ms", "0");

        Assert.NotEqual(0, exit);
        Assert.Contains("seaquest", output, StringComparison.Ordinal);
    }
}
