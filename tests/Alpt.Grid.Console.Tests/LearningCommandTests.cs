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
    public async Task Trial_run_applies_set_overrides_and_refuses_an_unknown_one_naming_it()
    {
        var console = new TestConsole();
        var exit = await AlptApp.RunAsync(
            ["trial", "run", "--target", "freeway", "--method", "oracle", "--preset", "smoke", "--threads", "1", "--json",
             "--set", "policy.steps=12", "--set", "policy.tokensPerStep=1", "--set", "evaluation.duringTraining=2"], console);

        Assert.Equal(0, exit);
        using var json = JsonDocument.Parse(console.Output.Trim());
        var policy = json.RootElement.GetProperty("spec").GetProperty("hyperparameters").GetProperty("policy");
        Assert.Equal(12, policy.GetProperty("steps").GetInt32());
        Assert.Equal(1, policy.GetProperty("tokensPerStep").GetInt32());
        // Two evaluations while training (steps 4 and 8) and the final one.
        var checkpoints = json.RootElement.GetProperty("policyCheckpoints").EnumerateArray().Select(c => c.GetProperty("step").GetInt32()).ToArray();
        Assert.Equal([4, 8, 12], checkpoints);

        var unknown = new TestConsole();
        Assert.NotEqual(0, await AlptApp.RunAsync(["trial", "run", "--target", "freeway", "--preset", "smoke", "--set", "policy.stepz=12"], unknown));
        Assert.Contains("policy.stepz", unknown.Output, StringComparison.Ordinal);
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

    [Theory]
    [InlineData("5%", 100)]
    [InlineData("0.1min", 90)]
    public async Task Trial_run_takes_a_budget_as_a_share_or_in_minutes_of_play(string budget, int transitions)
    {
        var console = new TestConsole();

        var exit = await AlptApp.RunAsync(["trial", "run", "--target", "freeway", "--method", "labelled-only", "--budget", budget, "--preset", "smoke", "--threads", "1", "--json"], console);

        Assert.True(exit == 0, console.Output);
        using var json = JsonDocument.Parse(console.Output.Trim());
        Assert.Equal(transitions, json.RootElement.GetProperty("labelledTransitions").GetInt32());
    }

    [Theory]
    [InlineData("12mins", "is not a count of labelled transitions (250), a share of the target data (1%) or minutes of play (12min)")]
    [InlineData("-3", "budget '-3' must be > 0")]
    [InlineData("12min", "budget 12min (10,800 transitions) must be below the target dataset's 2,000 transitions")]
    public async Task Trial_run_refuses_a_bad_budget_naming_it(string budget, string expected)
    {
        var console = new TestConsole();

        var exit = await AlptApp.RunAsync(["trial", "run", "--target", "freeway", "--method", "labelled-only", "--budget", budget, "--preset", "smoke"], console);

        Assert.NotEqual(0, exit);
        Assert.Contains(expected, console.Output.ReplaceLineEndings(" ").Replace("  ", " ", StringComparison.Ordinal), StringComparison.Ordinal);
    }
}
