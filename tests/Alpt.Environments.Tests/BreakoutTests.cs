using Alpt.Environments.Core;
using Alpt.Environments.Games;

namespace Alpt.Environments.Tests;

public sealed class BreakoutTests
{
    private static Breakout NewGame(string variant = "standard")
    {
        var game = (Breakout)GameCatalogue.CreateGrid("breakout", variant);
        game.Reset(1);
        return game;
    }

    [Fact]
    public void A_ball_entering_a_brick_breaks_it_scores_and_bounces()
    {
        var game = NewGame();
        game.PlaceBall(4, 4, 1, -1);
        Assert.True(game.BrickAt(5, 3));

        var result = game.Step(GameAction.Noop);

        Assert.Equal(1f, result.Reward);
        Assert.False(game.BrickAt(5, 3));
        Assert.Equal((5, 4, 1, 1), game.BallState);
        Assert.Equal(29, game.BricksLeft);
    }

    [Fact]
    public void The_paddle_returns_the_ball_and_a_miss_ends_the_episode()
    {
        var game = NewGame();
        game.PlacePaddle(4);
        game.PlaceBall(3, 8, 1, 1);
        Assert.False(game.Step(GameAction.Noop).Terminal);
        Assert.Equal(-1, game.BallState.Dy);

        game.PlacePaddle(0);
        game.PlaceBall(7, 8, 1, 1);
        Assert.True(game.Step(GameAction.Noop).Terminal);
    }

    [Fact]
    public void The_ball_bounces_off_the_side_wall()
    {
        var game = NewGame();
        game.PlaceBall(9, 6, 1, 1);
        game.Step(GameAction.Noop);
        Assert.Equal((8, 7, -1, 1), game.BallState);
    }

    [Fact]
    public void The_paddle_moves_and_is_visible_in_the_frame()
    {
        var game = NewGame();
        var before = new byte[300];
        var after = new byte[300];
        game.Render(before);
        game.Step(GameAction.Left);
        game.Render(after);
        Assert.Equal(3, game.PaddleX);
        Assert.NotEqual(before.AsSpan(90, 10).ToArray(), after.AsSpan(90, 10).ToArray());
    }
}
