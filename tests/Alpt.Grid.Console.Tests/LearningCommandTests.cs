using System.Text.Json;
using Spectre.Console.Testing;

namespace Alpt.Grid.Console.Tests;

public sealed class LearningCommandTests
{
    [Fact]
    public async Task Trial_run_prints_the_result_as_json()
    {
        var console = new TestConsole();

        var exit = await AlptApp.RunAsync(["trial", "run", "--target", "breakout", "--method", "idm-target", "--budget", "60", "--preset", "smoke", "--threads", "1", "--json"], console);

        Assert.Equal(0, exit);
        using var json = JsonDocument.Parse(console.Output.Trim());
        var root = json.RootElement;
        Assert.Equal("idm-target", root.GetProperty("spec").GetProperty("method").GetString());
        Assert.Equal(60, root.GetProperty("labelledTransitions").GetInt32());
        var accuracy = root.GetProperty("idmAccuracy").GetProperty("overall").GetDouble();
        Assert.InRange(accuracy, 0, 1);
        Assert.Equal("breakout", root.GetProperty("evaluation").GetProperty("game").GetString());
        Assert.True(root.GetProperty("phaseSeconds").TryGetProperty("labelling", out _));
    }

    [Fact]
    public async Task Trial_run_refuses_the_target_as_its_own_source()
    {
        var console = new TestConsole();

        var exit = await AlptApp.RunAsync(["trial", "run", "--target", "breakout", "--sources", "freeway,breakout", "--method", "alpt", "--budget", "60", "--preset", "smoke"], console);

        Assert.NotEqual(0, exit);
        Assert.Contains("is the target game", console.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Trial_run_refuses_an_unknown_method_or_game()
    {
        var method = new TestConsole();
        Assert.NotEqual(0, await AlptApp.RunAsync(["trial", "run", "--target", "breakout", "--method", "magic", "--preset", "smoke"], method));
        Assert.Contains("Unknown method", method.Output, StringComparison.Ordinal);

        var game = new TestConsole();
        Assert.NotEqual(0, await AlptApp.RunAsync(["trial", "run", "--target", "pong", "--method", "idm-target", "--budget", "10", "--preset", "smoke"], game));
        Assert.Contains("Unknown game", game.Output, StringComparison.Ordinal);
    }
}
