using Alpt.Environments.Core;

namespace Alpt.Environments.Policies;

/// <summary>Chooses actions for a game, one episode at a time. Not thread-safe.</summary>
public interface IPolicy
{
    /// <summary>Starts an episode; all of the policy's randomness in it derives from <paramref name="seed"/>.</summary>
    void BeginEpisode(ulong seed);

    GameAction Act(IGame game);
}

/// <summary>
/// The game's scripted expert with epsilon noise: with probability <see cref="Epsilon"/> a uniformly random
/// action from the game's minimal set, otherwise the expert's. Epsilon 0 is the expert, 1 the random policy
/// (which works with any <see cref="IGame"/>; the expert needs a game from <see cref="GameCatalogue"/>).
/// </summary>
public sealed class BehaviourPolicy : IPolicy
{
    private GameRng _rng;

    public BehaviourPolicy(double epsilon, ExpertSight sight = ExpertSight.Observed)
    {
        if (!(epsilon is >= 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "Epsilon must be in [0, 1].");
        }

        Epsilon = epsilon;
        Sight = sight;
        _rng = new GameRng(0);
    }

    public double Epsilon { get; }

    public ExpertSight Sight { get; }

    public static BehaviourPolicy Expert(ExpertSight sight = ExpertSight.Observed) => new(0, sight);

    public static BehaviourPolicy Random() => new(1);

    public void BeginEpisode(ulong seed) => _rng = new GameRng(seed);

    public GameAction Act(IGame game)
    {
        ArgumentNullException.ThrowIfNull(game);
        if (Epsilon > 0 && (Epsilon >= 1 || _rng.NextDouble() < Epsilon))
        {
            var actions = game.MinimalActions;
            return actions[_rng.NextInt(actions.Count)];
        }

        return game is GridGame grid
            ? grid.ChooseExpertAction(Sight)
            : throw new ArgumentException($"The scripted expert plays only games created by {nameof(GameCatalogue)}.", nameof(game));
    }
}

/// <summary>Behaviour mixes for datasets.</summary>
public static class BehaviourMix
{
    /// <summary>
    /// From near-random to expert play in equal shares, like DQN-Replay's spread of checkpoints, so a dataset's
    /// returns span poor to good play. The experts see only what the game has shown (<see cref="ExpertSight.Observed"/>).
    /// </summary>
    public static IReadOnlyList<Datasets.BehaviourSpec> Default { get; } = Mix(ExpertSight.Observed);

    /// <summary>The same mix played by clairvoyant experts (the suite's datasets before observed experts), for comparison.</summary>
    public static IReadOnlyList<Datasets.BehaviourSpec> Clairvoyant { get; } = Mix(ExpertSight.Clairvoyant);

    /// <summary>The default mix for experts of the given sight.</summary>
    public static IReadOnlyList<Datasets.BehaviourSpec> For(ExpertSight sight) => sight == ExpertSight.Observed ? Default : Clairvoyant;

    private static Datasets.BehaviourSpec[] Mix(ExpertSight sight) =>
    [
        new("expert", 0.0, 1, sight),
        new("eps-0.05", 0.05, 1, sight),
        new("eps-0.2", 0.2, 1, sight),
        new("eps-0.5", 0.5, 1, sight),
        new("random", 1.0, 1, sight),
    ];
}

/// <summary>Outcome of one played episode.</summary>
public readonly record struct EpisodeOutcome(float Return, int Steps, bool Terminated);

/// <summary>Plays whole episodes.</summary>
public static class EpisodeRunner
{
    /// <summary>Plays one episode from <paramref name="seed"/> until a terminal state or the game's step cap.</summary>
    public static EpisodeOutcome Play(IGame game, IPolicy policy, ulong seed, int? maxSteps = null)
    {
        ArgumentNullException.ThrowIfNull(game);
        ArgumentNullException.ThrowIfNull(policy);
        game.Reset(seed);
        policy.BeginEpisode(GameRng.Derive(seed, 0xB0A7));
        var cap = maxSteps ?? game.MaxEpisodeSteps;
        var total = 0f;
        for (var step = 1; step <= cap; step++)
        {
            var result = game.Step(policy.Act(game));
            total += result.Reward;
            if (result.Terminal)
            {
                return new EpisodeOutcome(total, step, true);
            }
        }

        return new EpisodeOutcome(total, cap, false);
    }
}
