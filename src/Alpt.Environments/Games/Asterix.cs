using Alpt.Environments.Core;

namespace Alpt.Environments.Games;

/// <summary>
/// Asterix on a 10×10 board. Rules:
/// - The player moves one cell per step in four directions within rows 1..8 (rows 0 and 9 are walls).
/// - Every <c>spawn</c> steps an object enters a random empty lane (rows 1..8, at most one object per lane)
///   from the left or right edge: gold with probability 1/3, otherwise an enemy. Objects advance one cell
///   every <c>move</c> steps and leave at the far edge.
/// - Touching gold scores +1 and removes it; touching an enemy ends the episode.
/// - Ramping: every <c>ramp</c> steps the spawn and move intervals shrink by one, down to a minimum.
/// Variants: "standard" (spawn 10, move 5, ramp 200, minimum move 2), "hard" (spawn 6, move 3, ramp 100, minimum move 1).
/// Each object's previous cell is drawn as a trail so its direction is visible in one frame.
/// </summary>
internal sealed class Asterix : GridGame
{
    private const byte Player = 1;
    private const byte Gold = 2;
    private const byte Enemy = 3;
    private const byte Trail = 4;
    private const byte Wall = 5;
    private const int Lanes = 8;

    private readonly int _spawnStart;
    private readonly int _moveStart;
    private readonly int _rampEvery;
    private readonly int _minMove;
    private readonly bool[] _active = new bool[Lanes];
    private readonly bool[] _gold = new bool[Lanes];
    private readonly int[] _x = new int[Lanes];
    private readonly int[] _lastX = new int[Lanes];
    private readonly int[] _dir = new int[Lanes];
    private int _playerX;
    private int _playerY;
    private int _tick;
    private int _moveTimer;
    private int _spawnTimer;
    private int _rampTimer;
    private int _spawn;
    private int _move;

    private Asterix(GameDescriptor descriptor, string variant, GameOptions options)
        : base(descriptor, variant, options)
    {
        (_spawnStart, _moveStart, _rampEvery, _minMove) = variant switch
        {
            "standard" => (10, 5, 200, 2),
            "hard" => (6, 3, 100, 1),
            _ => throw new ArgumentException($"Unknown asterix variant '{variant}'.", nameof(variant)),
        };
    }

    internal static GameDescriptor CreateDescriptor(int disjointOffset) => new(
        "asterix",
        "Collect gold (+1 each) crossing the lanes and never touch an enemy; objects come faster over time.",
        ["standard", "hard"],
        [GameAction.Noop, GameAction.Left, GameAction.Up, GameAction.Right, GameAction.Down],
        new Palette(
        [
            ("background", new Rgb(20, 60, 20)),
            ("player", new Rgb(80, 220, 255)),
            ("gold", new Rgb(255, 190, 0)),
            ("enemy", new Rgb(230, 30, 200)),
            ("trail", new Rgb(90, 90, 50)),
            ("wall", new Rgb(120, 80, 40)),
        ]),
        maxEpisodeSteps: 2000,
        disjointOffset,
        static (d, v, o) => new Asterix(d, v, o));

    internal (int X, int Y) PlayerPosition => (_playerX, _playerY);

    /// <summary>Test hook: puts an object in the lane of row <paramref name="y"/>.</summary>
    internal void PlaceObject(int y, int x, int dir, bool gold)
    {
        var lane = y - 1;
        (_active[lane], _gold[lane], _x[lane], _lastX[lane], _dir[lane]) = (true, gold, x, x, dir);
    }

    internal void PlacePlayer(int x, int y) => (_playerX, _playerY) = (x, y);

    private protected override void ResetCore()
    {
        Array.Clear(_active);
        _playerX = Size / 2;
        _playerY = Size / 2;
        _tick = 0;
        _moveTimer = _moveStart;
        _spawnTimer = _spawnStart;
        _rampTimer = _rampEvery;
        _spawn = _spawnStart;
        _move = _moveStart;
    }

    private protected override StepResult StepCore(GameAction action)
    {
        _tick++;
        switch (action)
        {
            case GameAction.Left: _playerX = Math.Max(0, _playerX - 1); break;
            case GameAction.Right: _playerX = Math.Min(Size - 1, _playerX + 1); break;
            case GameAction.Up: _playerY = Math.Max(1, _playerY - 1); break;
            case GameAction.Down: _playerY = Math.Min(Lanes, _playerY + 1); break;
            default: break;
        }

        var reward = 0f;
        if (Touch(ref reward))
        {
            return new StepResult(reward, true);
        }

        var moving = Every(ref _moveTimer, _move);
        for (var lane = 0; lane < Lanes; lane++)
        {
            _lastX[lane] = _x[lane];
            if (!moving || !_active[lane])
            {
                continue;
            }

            _x[lane] += _dir[lane];
            if ((uint)_x[lane] >= Size)
            {
                _active[lane] = false;
            }
        }

        if (Touch(ref reward))
        {
            return new StepResult(reward, true);
        }

        if (Every(ref _spawnTimer, _spawn))
        {
            Spawn();
        }

        if (Every(ref _rampTimer, _rampEvery))
        {
            _spawn = Math.Max(3, _spawn - 1);
            _move = Math.Max(_minMove, _move - 1);
        }

        return new StepResult(reward, false);
    }

    /// <summary>Collects gold on the player's cell; true when an enemy is there.</summary>
    private bool Touch(ref float reward)
    {
        var lane = _playerY - 1;
        if (!_active[lane] || _x[lane] != _playerX)
        {
            return false;
        }

        if (_gold[lane])
        {
            _active[lane] = false;
            reward += 1f;
            return false;
        }

        return true;
    }

    private void Spawn()
    {
        var free = 0;
        for (var lane = 0; lane < Lanes; lane++)
        {
            free += _active[lane] ? 0 : 1;
        }

        if (free == 0)
        {
            return;
        }

        var pick = Rng.NextInt(free);
        var lane2 = 0;
        for (; lane2 < Lanes; lane2++)
        {
            if (!_active[lane2] && pick-- == 0)
            {
                break;
            }
        }

        var fromLeft = Rng.NextInt(2) == 0;
        var gold = Rng.NextInt(3) == 0;
        var x = fromLeft ? 0 : Size - 1;
        (_active[lane2], _gold[lane2], _x[lane2], _lastX[lane2], _dir[lane2]) = (true, gold, x, x, fromLeft ? 1 : -1);
    }

    private protected override void Draw(Canvas canvas)
    {
        for (var x = 0; x < Size; x++)
        {
            canvas.Paint(x, Wall);
            canvas.Paint(((Size - 1) * Size) + x, Wall);
        }

        for (var lane = 0; lane < Lanes; lane++)
        {
            if (!_active[lane])
            {
                continue;
            }

            var row = (lane + 1) * Size;
            if (_lastX[lane] != _x[lane] && (uint)_lastX[lane] < Size)
            {
                canvas.Paint(row + _lastX[lane], Trail);
            }

            canvas.Paint(row + _x[lane], _gold[lane] ? Gold : Enemy);
        }

        canvas.Paint(Index(_playerX, _playerY), Player);
    }

    /// <summary>Among the actions after which some way of continuing survives the next few steps, takes the one
    /// that gains gold soonest, else heads for the nearest gold, else drifts back to the middle.</summary>
    private protected override GameAction ExpertAction()
    {
        var best = GameAction.Noop;
        var bestScore = double.NegativeInfinity;
        foreach (var action in Descriptor.MinimalActions)
        {
            if (!SurvivesWithSomeContinuation(action, 5, out _))
            {
                continue;
            }

            Survives(action, GameAction.Noop, 1, out var immediate);
            var after = (Asterix)Scratch;
            var score = (10.0 * immediate) - after.DistanceToGold();
            if (score > bestScore)
            {
                (best, bestScore) = (action, score);
            }
        }

        return best;
    }

    private double DistanceToGold()
    {
        var best = double.PositiveInfinity;
        for (var lane = 0; lane < Lanes; lane++)
        {
            if (_active[lane] && _gold[lane])
            {
                // Gold moving towards the player is worth more than gold moving away.
                var dx = _x[lane] - _playerX;
                var approaching = Math.Sign(dx) == -_dir[lane];
                var d = Math.Abs(dx) + Math.Abs(lane + 1 - _playerY) + (approaching ? 0 : 2);
                best = Math.Min(best, d);
            }
        }

        // With no gold on the board (e.g. just after collecting it), drift gently back to the middle.
        return double.IsPositiveInfinity(best) ? (Math.Abs(_playerX - (Size / 2)) + Math.Abs(_playerY - (Size / 2))) * 0.1 : best;
    }

    private protected override GridGame CreateScratch() => new Asterix(Descriptor, Variant, Options);

    private protected override void CopyStateFrom(GridGame source)
    {
        var s = (Asterix)source;
        Rng = s.Rng;
        Array.Copy(s._active, _active, Lanes);
        Array.Copy(s._gold, _gold, Lanes);
        Array.Copy(s._x, _x, Lanes);
        Array.Copy(s._lastX, _lastX, Lanes);
        Array.Copy(s._dir, _dir, Lanes);
        (_playerX, _playerY, _tick, _spawn, _move) = (s._playerX, s._playerY, s._tick, s._spawn, s._move);
        (_moveTimer, _spawnTimer, _rampTimer) = (s._moveTimer, s._spawnTimer, s._rampTimer);
    }
}
