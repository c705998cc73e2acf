using Alpt.Environments.Core;

namespace Alpt.Environments.Tests;

public sealed class GameContractTests
{
    public static TheoryData<string> Games() => new(GameCatalogue.Names);

    private static (List<byte[]> Frames, List<StepResult> Results, List<GameAction> Applied) Play(IGame game, ulong seed, int steps, ulong actionSeed)
    {
        var rng = new GameRng(actionSeed);
        var frames = new List<byte[]>();
        var results = new List<StepResult>();
        var applied = new List<GameAction>();
        game.Reset(seed);
        for (var i = 0; i < steps; i++)
        {
            var result = game.Step(game.MinimalActions[rng.NextInt(game.MinimalActions.Count)]);
            var frame = new byte[game.ShapeAt().Length];
            game.Render(frame);
            frames.Add(frame);
            results.Add(result);
            applied.Add(((GridGame)game).LastAppliedAction);
            if (result.Terminal)
            {
                game.Reset(seed + (ulong)i);
            }
        }

        return (frames, results, applied);
    }

    [Theory]
    [MemberData(nameof(Games))]
    public void Same_seed_and_actions_give_the_same_frames_and_rewards_with_and_without_sticky_actions(string name)
    {
        foreach (var sticky in new[] { 0.0, 0.3 })
        {
            var a = Play(GameCatalogue.Create(name, "hard", new GameOptions(sticky)), 5, 600, 9);
            var b = Play(GameCatalogue.Create(name, "hard", new GameOptions(sticky)), 5, 600, 9);
            Assert.Equal(a.Frames, b.Frames);
            Assert.Equal(a.Results, b.Results);
            Assert.Equal(a.Applied, b.Applied);
        }

        var other = Play(GameCatalogue.Create(name, "hard"), 6, 600, 9);
        Assert.NotEqual(Play(GameCatalogue.Create(name, "hard"), 5, 600, 9).Frames, other.Frames);
    }

    [Theory]
    [MemberData(nameof(Games))]
    public void Sticky_actions_sometimes_repeat_the_previous_action(string name)
    {
        var game = GameCatalogue.Create(name, null, new GameOptions(StickyActionProbability: 0.5));
        var rng = new GameRng(1);
        game.Reset(1);
        var previous = GameAction.Noop;
        int repeated = 0, fresh = 0;
        for (var i = 0; i < 400; i++)
        {
            var wanted = game.MinimalActions[rng.NextInt(game.MinimalActions.Count)];
            var terminal = game.Step(wanted).Terminal;
            var applied = ((GridGame)game).LastAppliedAction;
            if (applied != wanted)
            {
                Assert.Equal(previous, applied);
                repeated++;
            }
            else
            {
                fresh++;
            }

            previous = applied;
            if (terminal)
            {
                game.Reset((ulong)i);
                previous = GameAction.Noop;
            }
        }

        Assert.True(repeated > 50 && fresh > 150, $"repeated {repeated}, fresh {fresh}");
    }

    [Theory]
    [MemberData(nameof(Games))]
    public void Every_player_action_usually_shows_in_the_next_frame(string name)
    {
        // The IDM must be able to tell actions apart from frames: from the same state, each action should
        // lead to a frame different from the no-op's in most states.
        var game = GameCatalogue.Create(name);
        var script = new List<GameAction>();
        var policy = new Policies.BehaviourPolicy(0.3);
        policy.BeginEpisode(4);
        game.Reset(77);
        for (var i = 0; i < 80; i++)
        {
            var next = policy.Act(game);
            script.Add(next);
            if (game.Step(next).Terminal)
            {
                break;
            }
        }

        var frameNoop = new byte[game.ShapeAt().Length];
        var frameOther = new byte[frameNoop.Length];
        var differs = new int[ActionVocabulary.Size];
        var states = 0;
        for (var s = 0; s < script.Count; s++)
        {
            var prefix = script.GetRange(0, s);
            if (!Replay(game, prefix, GameAction.Noop, frameNoop))
            {
                break;
            }

            states++;
            foreach (var action in game.MinimalActions)
            {
                Replay(game, prefix, action, frameOther);
                if (!frameNoop.AsSpan().SequenceEqual(frameOther))
                {
                    differs[(int)action]++;
                }
            }
        }

        Assert.True(states >= 10, $"only {states} states before the episode ended");
        foreach (var action in game.MinimalActions.Skip(1))
        {
            Assert.True(differs[(int)action] >= states / 2, $"{name}: {action} differed from noop in {differs[(int)action]} of {states} states");
        }
    }

    private static bool Replay(IGame game, List<GameAction> prefix, GameAction last, byte[] frame)
    {
        game.Reset(77);
        foreach (var action in prefix)
        {
            if (game.Step(action).Terminal)
            {
                return false;
            }
        }

        var terminal = game.Step(last).Terminal;
        game.Render(frame);
        return !terminal || last != GameAction.Noop;
    }

    [Theory]
    [MemberData(nameof(Games))]
    public void Upscaled_frames_repeat_each_cell_and_a_wrong_buffer_is_rejected(string name)
    {
        var game = GameCatalogue.Create(name);
        game.Reset(2);
        game.Step(game.MinimalActions[^1]);
        var small = new byte[game.ShapeAt(1).Length];
        var large = new byte[game.ShapeAt(3).Length];
        game.Render(small);
        game.Render(large, 3);

        Assert.Equal(new ObservationShape(3, 30, 30), game.ShapeAt(3));
        for (var c = 0; c < 3; c++)
        {
            for (var y = 0; y < 30; y++)
            {
                for (var x = 0; x < 30; x++)
                {
                    Assert.Equal(small[(c * 100) + ((y / 3) * 10) + (x / 3)], large[(c * 900) + (y * 30) + x]);
                }
            }
        }

        Assert.Throws<ArgumentException>(() => game.Render(new byte[299]));
        Assert.Throws<ArgumentOutOfRangeException>(() => game.Render(small, 0));
    }

    [Fact]
    public void Every_game_has_its_own_palette_and_at_least_two_variants()
    {
        var backgrounds = GameCatalogue.Games.Select(g => g.Palette.Colours[0]).ToList();
        Assert.Equal(backgrounds.Count, backgrounds.Distinct().Count());
        foreach (var game in GameCatalogue.Games)
        {
            Assert.Equal(game.Palette.Count, game.Palette.Colours.Distinct().Count());
            Assert.True(game.Variants.Count >= 2);
            Assert.Equal(GameAction.Noop, game.MinimalActions[0]);
        }

        Assert.Equal(5, GameCatalogue.Games.Count);
    }

    [Fact]
    public void Disjoint_action_ids_never_overlap_between_games_and_round_trip()
    {
        var seen = new HashSet<int>();
        foreach (var descriptor in GameCatalogue.Games)
        {
            var game = GameCatalogue.Create(descriptor.Name, null, new GameOptions(DisjointActions: true));
            var space = game.ActionSpace;
            Assert.Equal(descriptor.Name, space.Vocabulary);
            Assert.Equal(descriptor.MinimalActions.Count, space.HeadSize);
            for (var id = 0; id < space.HeadSize; id++)
            {
                var action = space.FromHead(id);
                Assert.Equal(id, space.ToHead(action));
                Assert.True(seen.Add(space.ToGlobal(action)), $"global id {space.ToGlobal(action)} reused");
                Assert.True(space.ToGlobal(action) >= ActionVocabulary.Size && space.ToGlobal(action) < GameCatalogue.GlobalActionCount);
            }

            Assert.Throws<ArgumentOutOfRangeException>(() => space.FromHead(space.HeadSize));
        }

        var shared = GameCatalogue.Create("freeway").ActionSpace;
        Assert.True(shared.IsShared);
        Assert.Equal(6, shared.HeadSize);
        Assert.Equal(4, shared.ToHead(GameAction.Down));
    }

    [Theory]
    [MemberData(nameof(Games))]
    public void Stepping_and_rendering_into_a_reused_buffer_allocates_nothing(string name)
    {
        var game = GameCatalogue.Create(name, "hard", new GameOptions(StickyActionProbability: 0.25));
        var frame = new byte[game.ShapeAt(2).Length];
        var actions = game.MinimalActions.ToArray();
        void Play(int steps)
        {
            game.Reset(1);
            for (var i = 0; i < steps; i++)
            {
                if (game.Step(actions[i % actions.Length]).Terminal)
                {
                    game.Reset((ulong)i);
                }

                game.Render(frame, 2);
            }
        }

        Play(2_000);
        var before = GC.GetAllocatedBytesForCurrentThread();
        Play(20_000);

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Theory]
    [MemberData(nameof(Games))]
    public void A_game_must_be_reset_before_it_steps(string name)
    {
        var game = GameCatalogue.Create(name);

        Assert.Contains("Reset", Assert.Throws<InvalidOperationException>(() => game.Step(GameAction.Noop)).Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => game.Render(new byte[game.ShapeAt().Length]));
    }

    [Fact]
    public void Unknown_games_and_variants_are_named_in_the_error()
    {
        Assert.Contains("breakout", Assert.Throws<ArgumentException>(() => GameCatalogue.Create("pacman")).Message, StringComparison.Ordinal);
        Assert.Contains("standard", Assert.Throws<ArgumentException>(() => GameCatalogue.Create("freeway", "insane")).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => GameCatalogue.Create("freeway", null, new GameOptions(StickyActionProbability: 1.5)));
    }
}
