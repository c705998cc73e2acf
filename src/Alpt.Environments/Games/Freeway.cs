using Alpt.Environments.Core;

namespace Alpt.Environments.Games;

/// <summary>
/// Freeway on a 10×10 board. Rules:
/// - The chicken lives in column 4 and starts on the bottom row (row 9); up and down move it one row per step.
/// - Rows 1..8 are lanes of traffic. Cars in a lane all drive the same way (directions alternate from lane to
///   lane) and advance one cell every <c>interval</c> steps (each lane draws its interval at reset); they wrap
///   around at the edges.
/// - Reaching row 0 scores +1 and the chicken starts again on the bottom row.
/// - A car on the chicken's cell pushes the chicken back one row (never below row 9).
/// - The episode ends after a fixed time of 500 steps.
/// Variants: "standard" (one car per lane, intervals 2..5), "hard" (two cars per lane, intervals 1..4).
/// Right- and left-driving cars have different colours.
/// </summary>
internal sealed class Freeway : GridGame
{
    private const byte Chicken = 1;
    private const byte CarRight = 2;
    private const byte CarLeft = 3;
    private const byte Verge = 4;
    private const int ChickenColumn = 4;
    private const int Lanes = 8;
    private const int TimeLimit = 500;

    private readonly int _carsPerLane;
    private readonly int _minInterval;
    private readonly int _maxInterval;
    private readonly int[] _carX = new int[Lanes * 2];
    private readonly int[] _interval = new int[Lanes];
    private readonly int[] _countdown = new int[Lanes];
    private int _chickenY;
    private int _tick;
    private bool _hit;

    private Freeway(GameDescriptor descriptor, string variant, GameOptions options)
        : base(descriptor, variant, options)
    {
        (_carsPerLane, _minInterval, _maxInterval) = variant switch
        {
            "standard" => (1, 2, 5),
            "hard" => (2, 1, 4),
            _ => throw new ArgumentException($"Unknown freeway variant '{variant}'.", nameof(variant)),
        };
    }

    internal static GameDescriptor CreateDescriptor(int disjointOffset) => new(
        "freeway",
        "Lead the chicken up across eight lanes of traffic; each crossing scores +1; a car pushes it back a row; 500 steps.",
        ["standard", "hard"],
        [GameAction.Noop, GameAction.Up, GameAction.Down],
        new Palette(
        [
            ("background", new Rgb(70, 70, 70)),
            ("chicken", new Rgb(255, 255, 80)),
            ("car-right", new Rgb(40, 120, 255)),
            ("car-left", new Rgb(255, 100, 30)),
            ("verge", new Rgb(60, 140, 60)),
        ]),
        maxEpisodeSteps: TimeLimit,
        disjointOffset,
        static (d, v, o) => new Freeway(d, v, o));

    internal int ChickenY => _chickenY;

    /// <summary>Whether the chicken was pushed back by a car in the last step.</summary>
    internal bool WasHit => _hit;

    /// <summary>Test hook: puts the chicken on row <paramref name="y"/>.</summary>
    internal void PlaceChicken(int y) => _chickenY = y;

    /// <summary>Test hook: puts every car of the lane on row <paramref name="y"/> at <paramref name="x"/> with an interval of 1.</summary>
    internal void PlaceCar(int y, int x)
    {
        var lane = y - 1;
        for (var k = 0; k < _carsPerLane; k++)
        {
            _carX[(lane * 2) + k] = x;
        }

        _interval[lane] = 1;
        _countdown[lane] = 1;
    }

    private static int Direction(int lane) => (lane & 1) == 0 ? 1 : -1;

    private protected override void ResetCore()
    {
        _chickenY = Size - 1;
        _tick = 0;
        _hit = false;
        for (var lane = 0; lane < Lanes; lane++)
        {
            _interval[lane] = _minInterval + Rng.NextInt(_maxInterval - _minInterval + 1);
            _countdown[lane] = _interval[lane];
            var first = Rng.NextInt(Size);
            _carX[lane * 2] = first;
            _carX[(lane * 2) + 1] = (first + (Size / 2)) % Size;
        }
    }

    private bool CarAt(int x, int y)
    {
        if (y is < 1 or > Lanes)
        {
            return false;
        }

        var lane = y - 1;
        for (var k = 0; k < _carsPerLane; k++)
        {
            if (_carX[(lane * 2) + k] == x)
            {
                return true;
            }
        }

        return false;
    }

    private protected override StepResult StepCore(GameAction action)
    {
        _tick++;
        _hit = false;
        var reward = 0f;
        if (action == GameAction.Up)
        {
            _chickenY--;
        }
        else if (action == GameAction.Down && _chickenY < Size - 1)
        {
            _chickenY++;
        }

        if (_chickenY == 0)
        {
            reward = 1f;
            _chickenY = Size - 1;
        }

        var pushed = CarAt(ChickenColumn, _chickenY);
        for (var lane = 0; lane < Lanes; lane++)
        {
            if (!Every(ref _countdown[lane], _interval[lane]))
            {
                continue;
            }

            var dx = Direction(lane);
            for (var k = 0; k < _carsPerLane; k++)
            {
                ref var x = ref _carX[(lane * 2) + k];
                x = (x + dx + Size) % Size;
            }
        }

        pushed = pushed || CarAt(ChickenColumn, _chickenY);
        if (pushed)
        {
            _hit = true;
            _chickenY = Math.Min(Size - 1, _chickenY + 1);
        }

        return new StepResult(reward, _tick >= TimeLimit);
    }

    private protected override void Draw(Canvas canvas)
    {
        for (var x = 0; x < Size; x++)
        {
            canvas.Paint(x, Verge);
            canvas.Paint(((Size - 1) * Size) + x, Verge);
        }

        for (var lane = 0; lane < Lanes; lane++)
        {
            var kind = Direction(lane) > 0 ? CarRight : CarLeft;
            var row = (lane + 1) * Size;
            for (var k = 0; k < _carsPerLane; k++)
            {
                canvas.Paint(row + _carX[(lane * 2) + k], kind);
            }
        }

        canvas.Paint(Index(ChickenColumn, _chickenY), Chicken);
    }

    /// <summary>Steps up when neither that step nor the next one (waiting) gets the chicken hit; otherwise
    /// waits if waiting is safe for two steps, else backs off.</summary>
    private protected override GameAction ExpertAction()
    {
        if (SafeFor(GameAction.Up))
        {
            return GameAction.Up;
        }

        return SafeFor(GameAction.Noop) ? GameAction.Noop : GameAction.Down;
    }

    private bool SafeFor(GameAction first)
    {
        var scratch = (Freeway)Scratch;
        scratch.CopyStateFrom(this);
        scratch.StepCore(first);
        if (scratch._hit)
        {
            return false;
        }

        scratch.StepCore(GameAction.Noop);
        return !scratch._hit;
    }

    private protected override GridGame CreateScratch() => new Freeway(Descriptor, Variant, Options);

    private protected override void CopyStateFrom(GridGame source)
    {
        var s = (Freeway)source;
        Rng = s.Rng;
        Array.Copy(s._carX, _carX, _carX.Length);
        Array.Copy(s._interval, _interval, _interval.Length);
        Array.Copy(s._countdown, _countdown, _countdown.Length);
        (_chickenY, _tick, _hit) = (s._chickenY, s._tick, s._hit);
    }
}
