using System.Numerics;
using Alpt.Environments.Core;

namespace Alpt.Environments.Games;

/// <summary>
/// Space Invaders on a 10×10 board. Rules:
/// - The cannon sits on the bottom row (row 9) and moves one cell left or right per step.
/// - Fire launches a shot from the cell above the cannon when the cannon has reloaded (<c>reload</c> steps
///   after the previous shot); shots rise one cell per step, and a shot entering an alien removes both, +1.
/// - A wave is a 4 × 6 block of aliens (rows 1..4, columns 2..7). Every <c>move</c> steps the block moves one
///   cell sideways, or, when it would leave the board, one row down and turns round.
/// - Every <c>bomb</c> steps the lowest alien of a random column drops a bomb that falls one cell per step.
///   A bomb reaching the cannon, or an alien reaching the bottom row, ends the episode.
/// - A cleared wave is replaced by a new one that moves one step faster (to at most one cell per step).
/// The cannon flashes in the step fire is pressed (even while reloading), so firing is always visible.
/// Each layer is a bit mask per row (bit x = column x), so a step is a handful of shifts and masks.
/// Variants: "standard" (move 6, bomb 10, reload 3), "hard" (move 4, bomb 5, reload 4).
/// </summary>
internal sealed class SpaceInvaders : GridGame
{
    private const byte Cannon = 1;
    private const byte Alien = 2;
    private const byte Shot = 3;
    private const byte Bomb = 4;
    private const byte CannonFiring = 5;
    private const int CannonRow = Size - 1;
    private const int Edge = Size - 1;

    private readonly int _moveStart;
    private readonly int _bombInterval;
    private readonly int _reloadSteps;
    private readonly ushort[] _aliens = new ushort[Size];
    private readonly ushort[] _shots = new ushort[Size];
    private readonly ushort[] _bombs = new ushort[Size];
    private int _cannonX;
    private int _alienDir;
    private int _aliensLeft;
    private int _reload;
    private int _move;
    private int _tick;
    private int _moveTimer;
    private int _bombTimer;

    private SpaceInvaders(GameDescriptor descriptor, string variant, GameOptions options)
        : base(descriptor, variant, options)
    {
        (_moveStart, _bombInterval, _reloadSteps) = variant switch
        {
            "standard" => (6, 10, 3),
            "hard" => (4, 5, 4),
            _ => throw new ArgumentException($"Unknown space-invaders variant '{variant}'.", nameof(variant)),
        };
    }

    internal static GameDescriptor CreateDescriptor(int disjointOffset) => new(
        "space-invaders",
        "Shoot the descending aliens (+1 each) and dodge their bombs; waves get faster.",
        ["standard", "hard"],
        [GameAction.Noop, GameAction.Left, GameAction.Right, GameAction.Fire],
        new Palette(
        [
            ("background", new Rgb(0, 0, 0)),
            ("cannon", new Rgb(60, 255, 60)),
            ("alien", new Rgb(180, 120, 255)),
            ("shot", new Rgb(255, 255, 255)),
            ("bomb", new Rgb(255, 60, 60)),
            ("cannon-firing", new Rgb(200, 255, 200)),
        ]),
        maxEpisodeSteps: 2000,
        disjointOffset,
        static (d, v, o) => new SpaceInvaders(d, v, o));

    internal int CannonX => _cannonX;

    internal int AliensLeft => _aliensLeft;

    internal bool AlienAt(int x, int y) => (_aliens[y] & Bit(x)) != 0;

    internal bool ShotAt(int x, int y) => (_shots[y] & Bit(x)) != 0;

    /// <summary>Test hook: drops a bomb at a cell.</summary>
    internal void PlaceBomb(int x, int y) => _bombs[y] |= Bit(x);

    private static ushort Bit(int x) => (ushort)(1 << x);

    private protected override void ResetCore()
    {
        Array.Clear(_shots);
        Array.Clear(_bombs);
        _cannonX = Size / 2;
        _reload = 0;
        _tick = 0;
        _move = _moveStart;
        _moveTimer = _move;
        _bombTimer = _bombInterval;
        NewWave();
    }

    private void NewWave()
    {
        Array.Clear(_aliens);
        const ushort block = 0b0011111100; // columns 2..7
        for (var y = 1; y <= 4; y++)
        {
            _aliens[y] = block;
        }

        _aliensLeft = 24;
        _alienDir = Rng.NextInt(2) == 0 ? -1 : 1;
    }

    private protected override StepResult StepCore(GameAction action)
    {
        _tick++;
        var reward = 0;
        if (action == GameAction.Left)
        {
            _cannonX = Math.Max(0, _cannonX - 1);
        }
        else if (action == GameAction.Right)
        {
            _cannonX = Math.Min(Size - 1, _cannonX + 1);
        }

        var cannon = Bit(_cannonX);
        if ((_bombs[CannonRow] & cannon) != 0)
        {
            return new StepResult(0, true);
        }

        // Shots rise one row: top-down, so each row's shots move once.
        _shots[0] = 0;
        for (var y = 1; y < Size; y++)
        {
            var row = _shots[y];
            _shots[y] = 0;
            reward += ShotsEnter(row, y - 1);
        }

        if (_reload > 0)
        {
            _reload--;
        }

        if (action == GameAction.Fire && _reload == 0)
        {
            _reload = _reloadSteps;
            reward += ShotsEnter(cannon, CannonRow - 1);
        }

        // Bombs fall one row: bottom-up.
        _bombs[Size - 1] = 0;
        for (var y = Size - 2; y >= 0; y--)
        {
            var row = _bombs[y];
            _bombs[y] = 0;
            if (y + 1 == CannonRow && (row & cannon) != 0)
            {
                return new StepResult(reward, true);
            }

            _bombs[y + 1] = row;
        }

        if (Every(ref _moveTimer, _move) && MoveAliens(ref reward))
        {
            return new StepResult(reward, true);
        }

        if (Every(ref _bombTimer, _bombInterval))
        {
            DropBomb();
        }

        if (_aliensLeft == 0)
        {
            _move = Math.Max(1, _move - 1);
            NewWave();
        }

        return new StepResult(reward, false);
    }

    /// <summary>Shots arriving in row <paramref name="y"/>: those meeting an alien remove it and score.</summary>
    private int ShotsEnter(ushort shots, int y)
    {
        var hit = (ushort)(shots & _aliens[y]);
        _aliens[y] &= (ushort)~hit;
        _shots[y] |= (ushort)(shots & ~hit);
        var kills = BitOperations.PopCount(hit);
        _aliensLeft -= kills;
        return kills;
    }

    /// <summary>Aliens arriving in row <paramref name="y"/>: those meeting a shot are removed and score.</summary>
    private int AliensEnter(ushort aliens, int y)
    {
        var hit = (ushort)(aliens & _shots[y]);
        _shots[y] &= (ushort)~hit;
        _aliens[y] |= (ushort)(aliens & ~hit);
        var kills = BitOperations.PopCount(hit);
        _aliensLeft -= kills;
        return kills;
    }

    /// <summary>Moves the block; true when an alien reaches the cannon's row.</summary>
    private bool MoveAliens(ref int reward)
    {
        var all = 0;
        for (var y = 0; y < Size; y++)
        {
            all |= _aliens[y];
        }

        if ((all & (_alienDir > 0 ? Bit(Edge) : Bit(0))) != 0)
        {
            _alienDir = -_alienDir;
            if (_aliens[CannonRow - 1] != 0)
            {
                return true;
            }

            for (var y = CannonRow - 2; y >= 0; y--)
            {
                var row = _aliens[y];
                _aliens[y] = 0;
                reward += AliensEnter(row, y + 1);
            }

            return false;
        }

        for (var y = 0; y < Size; y++)
        {
            var row = _aliens[y];
            _aliens[y] = 0;
            reward += AliensEnter((ushort)(_alienDir > 0 ? row << 1 : row >> 1), y);
        }

        return false;
    }

    private void DropBomb()
    {
        var columns = 0;
        for (var y = 0; y < Size; y++)
        {
            columns |= _aliens[y];
        }

        var count = BitOperations.PopCount((uint)columns);
        if (count == 0)
        {
            return;
        }

        var pick = Rng.NextInt(count);
        for (var i = 0; i < pick; i++)
        {
            columns &= columns - 1;
        }

        var bit = (ushort)(columns & -columns);
        for (var y = CannonRow - 1; y >= 0; y--)
        {
            if ((_aliens[y] & bit) != 0)
            {
                _bombs[y + 1] |= bit;
                return;
            }
        }
    }

    private protected override void Draw(Canvas canvas)
    {
        for (var y = 0; y < Size; y++)
        {
            PaintRow(in canvas, _bombs[y], y, Bomb);
            PaintRow(in canvas, _shots[y], y, Shot);
            PaintRow(in canvas, _aliens[y], y, Alien);
        }

        canvas.Paint(Index(_cannonX, CannonRow), LastAppliedAction == GameAction.Fire ? CannonFiring : Cannon);
    }

    private static void PaintRow(in Canvas canvas, int bits, int y, byte kind)
    {
        while (bits != 0)
        {
            canvas.Paint((y * Size) + BitOperations.TrailingZeroCount(bits), kind);
            bits &= bits - 1;
        }
    }

    /// <summary>Among the actions after which some way of continuing survives the next few steps: scores now if
    /// it can, fires when an alien is above, else moves under the nearest column of aliens.</summary>
    private protected override GameAction ExpertAction()
    {
        var target = NearestAlienColumn();
        var best = GameAction.Noop;
        var bestScore = double.NegativeInfinity;
        foreach (var action in Descriptor.MinimalActions)
        {
            if (!SurvivesWithSomeContinuation(action, 4, out _))
            {
                continue;
            }

            var x = action switch
            {
                GameAction.Left => Math.Max(0, _cannonX - 1),
                GameAction.Right => Math.Min(Size - 1, _cannonX + 1),
                _ => _cannonX,
            };
            var score = -Math.Abs(x - target);
            if (action == GameAction.Fire && _reload <= 1 && ColumnHasAlien(_cannonX))
            {
                score += 5;
            }

            if (score > bestScore)
            {
                (best, bestScore) = (action, score);
            }
        }

        return best;
    }

    private bool ColumnHasAlien(int x)
    {
        var bit = Bit(x);
        for (var y = 0; y < CannonRow; y++)
        {
            if ((_aliens[y] & bit) != 0)
            {
                return true;
            }
        }

        return false;
    }

    private int NearestAlienColumn()
    {
        for (var d = 0; d < Size; d++)
        {
            if (_cannonX - d >= 0 && ColumnHasAlien(_cannonX - d))
            {
                return _cannonX - d;
            }

            if (_cannonX + d < Size && ColumnHasAlien(_cannonX + d))
            {
                return _cannonX + d;
            }
        }

        return _cannonX;
    }

    private protected override GridGame CreateScratch() => new SpaceInvaders(Descriptor, Variant, Options);

    private protected override void CopyStateFrom(GridGame source)
    {
        var s = (SpaceInvaders)source;
        Rng = s.Rng;
        Array.Copy(s._aliens, _aliens, Size);
        Array.Copy(s._shots, _shots, Size);
        Array.Copy(s._bombs, _bombs, Size);
        (_cannonX, _alienDir, _aliensLeft, _reload, _move, _tick) = (s._cannonX, s._alienDir, s._aliensLeft, s._reload, s._move, s._tick);
        (_moveTimer, _bombTimer) = (s._moveTimer, s._bombTimer);
    }
}
