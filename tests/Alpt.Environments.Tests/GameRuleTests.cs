using Alpt.Environments.Core;
using Alpt.Environments.Games;

namespace Alpt.Environments.Tests;

public sealed class GameRuleTests
{
    private static T New<T>(string name, string variant = "standard")
        where T : GridGame
    {
        var game = (T)GameCatalogue.CreateGrid(name, variant);
        game.Reset(3);
        return game;
    }

    [Fact]
    public void Space_invaders_a_shot_destroys_the_alien_above_and_scores()
    {
        var game = New<SpaceInvaders>("space-invaders");
        Assert.True(game.AlienAt(5, 4));

        var reward = game.Step(GameAction.Fire).Reward;
        Assert.True(game.ShotAt(5, 8));
        for (var i = 0; i < 4; i++)
        {
            reward += game.Step(GameAction.Noop).Reward;
        }

        Assert.Equal(1f, reward);
        Assert.False(game.AlienAt(5, 4));
        Assert.Equal(23, game.AliensLeft);
    }

    [Fact]
    public void Space_invaders_a_bomb_on_the_cannon_ends_the_episode()
    {
        var game = New<SpaceInvaders>("space-invaders");
        game.PlaceBomb(game.CannonX, 8);

        Assert.True(game.Step(GameAction.Noop).Terminal);
    }

    [Fact]
    public void Space_invaders_the_cannon_cannot_fire_before_reloading()
    {
        var game = New<SpaceInvaders>("space-invaders");
        game.Step(GameAction.Fire);
        game.Step(GameAction.Fire);

        Assert.True(game.ShotAt(5, 7));
        Assert.False(game.ShotAt(5, 8));
    }

    [Fact]
    public void Freeway_the_chicken_is_pushed_back_by_a_car()
    {
        var game = New<Freeway>("freeway");
        game.PlaceChicken(5);
        game.PlaceCar(4, 4);
        game.PlaceCar(5, 0);

        var result = game.Step(GameAction.Up);

        Assert.True(game.WasHit);
        Assert.Equal(5, game.ChickenY);
        Assert.Equal(0f, result.Reward);
    }

    [Fact]
    public void Freeway_reaching_the_top_scores_and_restarts_at_the_bottom()
    {
        var game = New<Freeway>("freeway");
        game.PlaceChicken(1);

        var result = game.Step(GameAction.Up);

        Assert.Equal(1f, result.Reward);
        Assert.Equal(9, game.ChickenY);
    }

    [Fact]
    public void Freeway_ends_after_its_time_limit()
    {
        var game = New<Freeway>("freeway");
        for (var i = 1; i < 500; i++)
        {
            Assert.False(game.Step(GameAction.Noop).Terminal);
        }

        Assert.True(game.Step(GameAction.Noop).Terminal);
    }

    [Fact]
    public void Asterix_gold_scores_and_an_enemy_ends_the_episode()
    {
        var game = New<Asterix>("asterix");
        game.PlacePlayer(5, 5);
        game.PlaceObject(5, 6, -1, gold: true);

        var gold = game.Step(GameAction.Right);

        Assert.Equal(1f, gold.Reward);
        Assert.False(gold.Terminal);

        game.PlaceObject(4, 6, 1, gold: false);
        Assert.True(game.Step(GameAction.Up).Terminal);
    }

    [Fact]
    public void Seaquest_oxygen_runs_out_under_water()
    {
        var game = New<Seaquest>("seaquest");
        game.PlaceSub(5, 7);
        var steps = 0;
        StepResult result;
        do
        {
            game.ClearEnemies();
            result = game.Step(GameAction.Noop);
            steps++;
        }
        while (!result.Terminal && steps < 1000);

        Assert.True(result.Terminal);
        Assert.Equal(100, steps);
        Assert.Equal(0, game.Oxygen);
    }

    [Fact]
    public void Seaquest_surfacing_with_divers_scores_them_and_refills_oxygen()
    {
        var game = New<Seaquest>("seaquest");
        game.PlaceSub(5, 2);
        game.Step(GameAction.Noop);
        game.SetDivers(2);

        var result = game.Step(GameAction.Up);
        Assert.Equal(0f, result.Reward);
        result = game.Step(GameAction.Up);

        Assert.Equal(2f, result.Reward);
        Assert.False(result.Terminal);
        Assert.Equal(0, game.Divers);
        Assert.Equal(100, game.Oxygen);
    }

    [Fact]
    public void Seaquest_surfacing_without_a_diver_ends_the_episode()
    {
        var game = New<Seaquest>("seaquest");
        game.PlaceSub(5, 1);

        Assert.True(game.Step(GameAction.Up).Terminal);
    }

    [Fact]
    public void Seaquest_a_torpedo_destroys_an_enemy_and_a_diver_is_picked_up()
    {
        var game = New<Seaquest>("seaquest");
        game.PlaceSub(2, 3);
        game.PlaceEnemy(3, 5, -1, sub: false);
        game.PlaceDiver(4, 2, 1);

        var reward = game.Step(GameAction.Fire).Reward;
        reward += game.Step(GameAction.Down).Reward;
        reward += game.Step(GameAction.Noop).Reward;

        Assert.Equal(1f, reward);
        Assert.Equal(1, game.Divers);
    }
}
