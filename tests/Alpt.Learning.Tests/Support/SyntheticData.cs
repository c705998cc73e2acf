using Alpt.Environments.Core;
using Alpt.Environments.Datasets;
using Alpt.Environments.Policies;
using Alpt.Learning.Trials;

namespace Alpt.Learning.Tests.Support;

/// <summary>
/// A tiny stand-in game for tests: one coloured cell on a 10×10 board that the action moves
/// (left/up/right/down), fire lights a corner cell for one frame, noop does nothing. The action is
/// visible from the frames before and after it (except moves into a wall), as in the real games.
/// Reward 1 for each step spent in the right half; episodes end after 40 steps. The colour depends
/// on the game's name, so different "games" look different but share action semantics.
/// </summary>
public sealed class SyntheticGame(string name, string variant = "standard") : IGame
{
    public const int EpisodeLength = 40;
    private Random _random = new(0);
    private int _x, _y, _steps;
    private bool _fired;

    public string Name => name;

    public string Variant => variant;

    public IReadOnlyList<GameAction> MinimalActions { get; } = [.. Enum.GetValues<GameAction>()];

    public int GridSize => 10;

    public Palette Palette { get; } = new([("background", new Rgb(0, 0, 0)), ("cell", new Rgb(200, 60, 90))]);

    public ActionSpace ActionSpace => ActionSpace.Shared;

    public int MaxEpisodeSteps => EpisodeLength;

    public ObservationShape ShapeAt(int scale = 1) => new(3, 10 * scale, 10 * scale);

    public void Reset(ulong seed)
    {
        _random = new Random((int)(seed % int.MaxValue));
        _x = _random.Next(10);
        _y = _random.Next(10);
        _steps = 0;
        _fired = false;
    }

    public StepResult Step(GameAction action)
    {
        switch (action)
        {
            case GameAction.Left: _x = Math.Max(0, _x - 1); break;
            case GameAction.Right: _x = Math.Min(9, _x + 1); break;
            case GameAction.Up: _y = Math.Max(0, _y - 1); break;
            case GameAction.Down: _y = Math.Min(9, _y + 1); break;
            default: break;
        }

        _fired = action == GameAction.Fire;
        _steps++;
        return new StepResult(_x >= 5 ? 1 : 0, _steps >= EpisodeLength);
    }

    public void Render(Span<byte> frame, int scale = 1)
    {
        frame.Clear();
        var hash = (byte)(name.Aggregate(17, (h, c) => (h * 31) + c) & 0x7F);
        var plane = 100;
        frame[(_y * 10) + _x] = (byte)(128 + hash);
        frame[plane + (_y * 10) + _x] = (byte)(255 - hash);
        frame[(2 * plane) + (_y * 10) + _x] = 90;
        if (_fired)
        {
            frame[(2 * plane) + 0] = 255;
        }
    }
}

/// <summary>Synthetic datasets and the trial environment around <see cref="SyntheticGame"/>.</summary>
public sealed class SyntheticEnvironment : ITrialEnvironment, IDatasetSource
{
    public static readonly ObservationShape Shape = new(3, 10, 10);

    public static SyntheticEnvironment Instance { get; } = new();

    public DatasetSpec DatasetSpec(GameRef game, int transitions, ulong seed, int scale, ExpertSight experts) =>
        new(game.Game, game.Variant, transitions, [new BehaviourSpec("random", 1, 1), new BehaviourSpec("right", 0.5, 1)], seed, scale);

    public IGame CreateGame(GameRef game) => new SyntheticGame(game.Game, game.Variant);

    public int MaxEpisodeSteps(GameRef game) => SyntheticGame.EpisodeLength;

    public ReferenceReturn ReferenceReturns(GameRef game) => new(15, 35);

    public TrajectoryDataset Get(DatasetSpec spec, CancellationToken cancellationToken) => Dataset(spec);

    /// <summary>Plays episodes with a mix of a random policy and one that prefers moving right.</summary>
    public static TrajectoryDataset Dataset(DatasetSpec spec)
    {
        var game = new SyntheticGame(spec.Game, spec.Variant);
        var random = new Random((int)spec.Seed + spec.Game.Length);
        var n = spec.Transitions;
        var frames = new List<byte>();
        var actions = new byte[n];
        var rewards = new float[n];
        var starts = new List<int> { 0 };
        var behaviours = new List<byte>();
        var terminated = new List<bool>();
        var frame = new byte[Shape.Length];
        var t = 0;
        while (t < n)
        {
            var behaviour = (byte)random.Next(2);
            game.Reset((ulong)random.Next());
            game.Render(frame);
            frames.AddRange(frame);
            var ended = false;
            while (t < n && !ended)
            {
                var action = behaviour == 1 && random.NextDouble() < 0.5 ? GameAction.Right : (GameAction)random.Next(ActionVocabulary.Size);
                var result = game.Step(action);
                actions[t] = (byte)action;
                rewards[t] = result.Reward;
                t++;
                game.Render(frame);
                frames.AddRange(frame);
                ended = result.Terminal;
            }

            starts.Add(t);
            behaviours.Add(behaviour);
            terminated.Add(ended);
        }

        return new TrajectoryDataset(spec, Shape, [.. frames], actions, rewards, [.. starts], [.. behaviours], [.. terminated]);
    }

    public static TrajectoryDataset Dataset(string game, int transitions, ulong seed = 1) =>
        Dataset(Instance.DatasetSpec(new GameRef(game), transitions, seed, 1, ExpertSight.Observed));
}
