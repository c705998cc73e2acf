using Alpt.Environments.Core;

namespace Alpt.Environments.Games;

/// <summary>
/// Seaquest on a 10×10 board. Rules:
/// - Row 0 is the surface, rows 1..7 are water, row 8 shows the divers on board (one cell each) and row 9 the
///   oxygen gauge. The submarine starts on the surface and moves one cell per step in four directions within
///   rows 0..7; left and right also turn it, and its colour shows which way it faces.
/// - Fire launches a torpedo from the cell in front of the submarine when none is in flight (not from the
///   surface); it travels one cell per step, and a torpedo meeting an enemy removes both, +1.
/// - Every <c>spawn</c> steps an enemy enters an empty water row from the left or right edge: a shark, or
///   (one in three) an enemy submarine that fires a bullet ahead of itself every 12 steps. Enemies advance one
///   cell every <c>enemy</c> steps, bullets one cell per step. Touching an enemy or a bullet ends the episode.
/// - Every 25 steps a diver enters an empty water row, advancing one cell every 4 steps; the submarine picks
///   up a diver by touching it (at most 6 on board).
/// - Under water oxygen drops by one per step, and running out ends the episode. Surfacing with at least one
///   diver on board scores +1 per diver, drops them off and refills oxygen; surfacing with none ends the episode.
/// - Ramping: every <c>ramp</c> steps enemies come a step more often (down to every 3 steps).
/// The submarine flashes in the step fire is pressed (even with a torpedo in flight), so firing is always visible.
/// Variants: "standard" (oxygen 100, spawn 10, enemy move 3, ramp 300), "hard" (oxygen 60, spawn 6, enemy move 2, ramp 150).
/// </summary>
internal sealed class Seaquest : GridGame
{
    private const byte Surface = 1;
    private const byte SubLeft = 2;
    private const byte SubRight = 3;
    private const byte Torpedo = 4;
    private const byte Shark = 5;
    private const byte EnemySub = 6;
    private const byte Bullet = 7;
    private const byte Diver = 8;
    private const byte DiverGauge = 9;
    private const byte OxygenGauge = 10;
    private const byte SubFiring = 11;
    private const int Rows = 8;
    private const int DeepestRow = 7;
    private const int MaxDivers = 6;
    private const int ShotInterval = 12;
    private const int DiverSpawn = 25;
    private const int DiverMove = 4;

    private readonly int _maxOxygen;
    private readonly int _spawnStart;
    private readonly int _enemyMove;
    private readonly int _rampEvery;

    // Per water row (index = row; row 0 unused): at most one enemy, one bullet and one diver.
    private readonly bool[] _enemy = new bool[Rows];
    private readonly bool[] _enemyIsSub = new bool[Rows];
    private readonly int[] _enemyX = new int[Rows];
    private readonly int[] _enemyDir = new int[Rows];
    private readonly bool[] _bullet = new bool[Rows];
    private readonly int[] _bulletX = new int[Rows];
    private readonly int[] _bulletDir = new int[Rows];
    private readonly bool[] _diver = new bool[Rows];
    private readonly int[] _diverX = new int[Rows];
    private readonly int[] _diverDir = new int[Rows];
    private int _subX;
    private int _subY;
    private int _facing;
    private bool _torpedo;
    private int _torpedoX;
    private int _torpedoY;
    private int _torpedoDir;
    private int _oxygen;
    private int _divers;
    private int _tick;
    private int _enemyTimer;
    private int _spawnTimer;
    private int _rampTimer;
    private int _spawn;

    private Seaquest(GameDescriptor descriptor, string variant, GameOptions options)
        : base(descriptor, variant, options)
    {
        (_maxOxygen, _spawnStart, _enemyMove, _rampEvery) = variant switch
        {
            "standard" => (100, 10, 3, 300),
            "hard" => (60, 6, 2, 150),
            _ => throw new ArgumentException($"Unknown seaquest variant '{variant}'.", nameof(variant)),
        };
    }

    internal static GameDescriptor CreateDescriptor(int disjointOffset) => new(
        "seaquest",
        "Torpedo sharks and enemy subs (+1), rescue divers and surface with them (+1 each) before oxygen runs out.",
        ["standard", "hard"],
        [GameAction.Noop, GameAction.Left, GameAction.Up, GameAction.Right, GameAction.Down, GameAction.Fire],
        new Palette(
        [
            ("background", new Rgb(0, 40, 110)),
            ("surface", new Rgb(120, 190, 230)),
            ("sub-left", new Rgb(255, 230, 0)),
            ("sub-right", new Rgb(255, 140, 0)),
            ("torpedo", new Rgb(255, 255, 255)),
            ("shark", new Rgb(230, 40, 40)),
            ("enemy-sub", new Rgb(150, 150, 150)),
            ("bullet", new Rgb(255, 120, 200)),
            ("diver", new Rgb(40, 230, 120)),
            ("diver-gauge", new Rgb(20, 120, 60)),
            ("oxygen-gauge", new Rgb(200, 255, 255)),
            ("sub-firing", new Rgb(255, 255, 190)),
        ]),
        maxEpisodeSteps: 2000,
        disjointOffset,
        static (d, v, o) => new Seaquest(d, v, o));

    internal (int X, int Y) SubPosition => (_subX, _subY);

    internal int Oxygen => _oxygen;

    internal int Divers => _divers;

    internal void PlaceSub(int x, int y) => (_subX, _subY) = (x, y);

    internal void PlaceEnemy(int y, int x, int dir, bool sub) => (_enemy[y], _enemyX[y], _enemyDir[y], _enemyIsSub[y]) = (true, x, dir, sub);

    internal void PlaceDiver(int y, int x, int dir) => (_diver[y], _diverX[y], _diverDir[y]) = (true, x, dir);

    internal void SetDivers(int divers) => _divers = divers;

    /// <summary>Test hook: removes every enemy and bullet.</summary>
    internal void ClearEnemies()
    {
        Array.Clear(_enemy);
        Array.Clear(_bullet);
    }

    private protected override void ResetCore()
    {
        Array.Clear(_enemy);
        Array.Clear(_bullet);
        Array.Clear(_diver);
        _subX = Size / 2;
        _subY = 0;
        _facing = 1;
        _torpedo = false;
        _oxygen = _maxOxygen;
        _divers = 0;
        _tick = 0;
        _enemyTimer = _enemyMove;
        _spawnTimer = _spawnStart;
        _rampTimer = _rampEvery;
        _spawn = _spawnStart;
    }

    private protected override StepResult StepCore(GameAction action)
    {
        _tick++;
        var reward = 0f;
        var wasUnderwater = _subY > 0;
        switch (action)
        {
            case GameAction.Left: _subX = Math.Max(0, _subX - 1); _facing = -1; break;
            case GameAction.Right: _subX = Math.Min(Size - 1, _subX + 1); _facing = 1; break;
            case GameAction.Up: _subY = Math.Max(0, _subY - 1); break;
            case GameAction.Down: _subY = Math.Min(DeepestRow, _subY + 1); break;
            default: break;
        }

        if (SubHit())
        {
            return new StepResult(0, true);
        }

        PickUpDiver();

        if (_torpedo)
        {
            _torpedoX += _torpedoDir;
            if ((uint)_torpedoX >= Size)
            {
                _torpedo = false;
            }
            else
            {
                reward += TorpedoHits();
            }
        }

        if (action == GameAction.Fire && !_torpedo && _subY > 0 && (uint)(_subX + _facing) < Size)
        {
            (_torpedo, _torpedoX, _torpedoY, _torpedoDir) = (true, _subX + _facing, _subY, _facing);
            reward += TorpedoHits();
        }

        var enemiesMove = Every(ref _enemyTimer, _enemyMove);
        var fire = _tick % ShotInterval == 0;
        var diversMove = _tick % DiverMove == 0;
        for (var y = 1; y <= DeepestRow; y++)
        {
            if (_bullet[y])
            {
                _bulletX[y] += _bulletDir[y];
                _bullet[y] = (uint)_bulletX[y] < Size;
            }

            if (_enemy[y] && enemiesMove)
            {
                _enemyX[y] += _enemyDir[y];
                _enemy[y] = (uint)_enemyX[y] < Size;
            }

            if (_enemy[y] && _enemyIsSub[y] && fire && !_bullet[y] && (uint)(_enemyX[y] + _enemyDir[y]) < Size)
            {
                (_bullet[y], _bulletX[y], _bulletDir[y]) = (true, _enemyX[y] + _enemyDir[y], _enemyDir[y]);
            }

            if (_diver[y] && diversMove)
            {
                _diverX[y] += _diverDir[y];
                _diver[y] = (uint)_diverX[y] < Size;
            }
        }

        if (_torpedo)
        {
            reward += TorpedoHits();
        }

        if (Every(ref _spawnTimer, _spawn))
        {
            SpawnEnemy();
        }

        if (_tick % DiverSpawn == 0)
        {
            SpawnDiver();
        }

        if (Every(ref _rampTimer, _rampEvery))
        {
            _spawn = Math.Max(3, _spawn - 1);
        }

        if (SubHit())
        {
            return new StepResult(reward, true);
        }

        PickUpDiver();
        if (_subY == 0)
        {
            if (wasUnderwater)
            {
                if (_divers == 0)
                {
                    return new StepResult(reward, true);
                }

                reward += _divers;
                _divers = 0;
            }

            _oxygen = _maxOxygen;
        }
        else if (--_oxygen <= 0)
        {
            return new StepResult(reward, true);
        }

        return new StepResult(reward, false);
    }

    private bool SubHit()
    {
        var y = _subY;
        return y > 0 && ((_enemy[y] && _enemyX[y] == _subX) || (_bullet[y] && _bulletX[y] == _subX));
    }

    private void PickUpDiver()
    {
        var y = _subY;
        if (y > 0 && _diver[y] && _diverX[y] == _subX && _divers < MaxDivers)
        {
            _diver[y] = false;
            _divers++;
        }
    }

    private float TorpedoHits()
    {
        var y = _torpedoY;
        if (_enemy[y] && _enemyX[y] == _torpedoX)
        {
            _enemy[y] = false;
            _torpedo = false;
            return 1f;
        }

        return 0f;
    }

    private int RandomFreeRow(bool[] occupied)
    {
        var free = 0;
        for (var y = 1; y <= DeepestRow; y++)
        {
            free += occupied[y] ? 0 : 1;
        }

        if (free == 0)
        {
            return -1;
        }

        var pick = Rng.NextInt(free);
        for (var y = 1; y <= DeepestRow; y++)
        {
            if (!occupied[y] && pick-- == 0)
            {
                return y;
            }
        }

        return -1;
    }

    private void SpawnEnemy()
    {
        var y = RandomFreeRow(_enemy);
        if (y < 0)
        {
            return;
        }

        var fromLeft = Rng.NextInt(2) == 0;
        var sub = Rng.NextInt(3) == 0;
        (_enemy[y], _enemyX[y], _enemyDir[y], _enemyIsSub[y]) = (true, fromLeft ? 0 : Size - 1, fromLeft ? 1 : -1, sub);
    }

    private void SpawnDiver()
    {
        var y = RandomFreeRow(_diver);
        if (y < 0)
        {
            return;
        }

        var fromLeft = Rng.NextInt(2) == 0;
        (_diver[y], _diverX[y], _diverDir[y]) = (true, fromLeft ? 0 : Size - 1, fromLeft ? 1 : -1);
    }

    private protected override void Draw(Canvas canvas)
    {
        for (var x = 0; x < Size; x++)
        {
            canvas.Paint(x, Surface);
        }

        for (var y = 1; y <= DeepestRow; y++)
        {
            var row = y * Size;
            if (_diver[y])
            {
                canvas.Paint(row + _diverX[y], Diver);
            }

            if (_bullet[y])
            {
                canvas.Paint(row + _bulletX[y], Bullet);
            }

            if (_enemy[y])
            {
                canvas.Paint(row + _enemyX[y], _enemyIsSub[y] ? EnemySub : Shark);
            }
        }

        if (_torpedo)
        {
            canvas.Paint(Index(_torpedoX, _torpedoY), Torpedo);
        }

        canvas.Paint(Index(_subX, _subY), LastAppliedAction == GameAction.Fire ? SubFiring : _facing < 0 ? SubLeft : SubRight);
        var gauge = Rows * Size;
        for (var i = 0; i < _divers; i++)
        {
            canvas.Paint(gauge + i, DiverGauge);
        }

        var oxygenCells = ((_oxygen * Size) + _maxOxygen - 1) / _maxOxygen;
        for (var i = 0; i < oxygenCells; i++)
        {
            canvas.Paint(gauge + Size + i, OxygenGauge);
        }
    }

    /// <summary>Among the actions after which some way of continuing survives the next few steps: fires at an
    /// enemy ahead, surfaces with divers when oxygen runs low or the sub is full, otherwise chases divers and
    /// lines up with enemies.</summary>
    private protected override GameAction ExpertAction()
    {
        var best = GameAction.Noop;
        var bestScore = double.NegativeInfinity;
        var surfacing = _divers > 0 && (_divers >= 3 || _oxygen < (_subY * 2) + 20);
        foreach (var action in Descriptor.MinimalActions)
        {
            if (!SurvivesWithSomeContinuation(action, 5, out _))
            {
                continue;
            }

            Survives(action, GameAction.Noop, 1, out var immediate);
            var after = (Seaquest)Scratch;
            // Picking up a diver removes it as a goal, so count the pickup itself as progress.
            var score = (10.0 * immediate) + (8.0 * Math.Max(0, after._divers - _divers));
            if (surfacing)
            {
                score -= after._subY;
            }
            else
            {
                score -= after.GoalDistance();
                if (action == GameAction.Fire && !_torpedo && EnemyAhead())
                {
                    score += 3;
                }
            }

            if (score > bestScore)
            {
                (best, bestScore) = (action, score);
            }
        }

        return best;
    }

    private bool EnemyAhead()
    {
        var y = _subY;
        return y > 0 && _enemy[y] && Math.Sign(_enemyX[y] - _subX) == _facing;
    }

    /// <summary>Distance to the nearest diver when there is room for one, else to a row with an enemy to shoot;
    /// staying under water is preferred while there is no diver on board.</summary>
    private double GoalDistance()
    {
        var best = double.PositiveInfinity;
        if (_divers < MaxDivers)
        {
            for (var y = 1; y <= DeepestRow; y++)
            {
                if (_diver[y])
                {
                    best = Math.Min(best, Math.Abs(_diverX[y] - _subX) + Math.Abs(y - _subY));
                }
            }
        }

        if (double.IsPositiveInfinity(best))
        {
            for (var y = 1; y <= DeepestRow; y++)
            {
                if (_enemy[y])
                {
                    // Line up with an enemy at a safe distance, facing it.
                    var dx = Math.Abs(_enemyX[y] - _subX);
                    var facing = Math.Sign(_enemyX[y] - _subX) == _facing ? 0 : 1;
                    best = Math.Min(best, (2 * Math.Abs(y - _subY)) + facing + (dx < 3 ? 2 : 0) + 1);
                }
            }
        }

        if (double.IsPositiveInfinity(best))
        {
            best = 4 + Math.Abs(_subY - 4);
        }

        return best;
    }

    private protected override GridGame CreateScratch() => new Seaquest(Descriptor, Variant, Options);

    private protected override void CopyStateFrom(GridGame source)
    {
        var s = (Seaquest)source;
        Rng = s.Rng;
        Array.Copy(s._enemy, _enemy, Rows);
        Array.Copy(s._enemyIsSub, _enemyIsSub, Rows);
        Array.Copy(s._enemyX, _enemyX, Rows);
        Array.Copy(s._enemyDir, _enemyDir, Rows);
        Array.Copy(s._bullet, _bullet, Rows);
        Array.Copy(s._bulletX, _bulletX, Rows);
        Array.Copy(s._bulletDir, _bulletDir, Rows);
        Array.Copy(s._diver, _diver, Rows);
        Array.Copy(s._diverX, _diverX, Rows);
        Array.Copy(s._diverDir, _diverDir, Rows);
        (_subX, _subY, _facing, _torpedo, _torpedoX, _torpedoY, _torpedoDir) = (s._subX, s._subY, s._facing, s._torpedo, s._torpedoX, s._torpedoY, s._torpedoDir);
        (_oxygen, _divers, _tick, _spawn) = (s._oxygen, s._divers, s._tick, s._spawn);
        (_enemyTimer, _spawnTimer, _rampTimer) = (s._enemyTimer, s._spawnTimer, s._rampTimer);
    }
}
