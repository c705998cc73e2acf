using Alpt.Environments.Core;

namespace Alpt.Environments.Games;

/// <summary>
/// Breakout on a 10×10 board. Rules:
/// - The paddle sits on the bottom row (row 9) and moves one cell left or right per step.
/// - The ball moves one cell diagonally per step and bounces off the side walls and the top wall.
/// - Bricks fill the top rows below row 0; a ball entering a brick removes it, scores +1 and bounces back vertically.
/// - A ball entering the bottom row bounces up if the paddle covers that column; otherwise the episode ends.
/// - When every brick is gone a fresh wall appears (the game goes on).
/// - The ball starts in the row below the wall at the left or right edge, heading down towards the middle.
/// Variants: "standard" (paddle 2 cells wide, 3 brick rows), "hard" (paddle 1 cell wide, 4 brick rows).
/// The ball's previous cell is drawn as a trail so its direction is visible in one frame.
/// </summary>
internal sealed class Breakout : GridGame
{
    private const byte Paddle = 1;
    private const byte Ball = 2;
    private const byte Trail = 3;
    private const byte Brick = 4;

    private readonly int _paddleWidth;
    private readonly int _brickRows;
    private readonly bool[] _bricks = new bool[Size * Size];
    private int _paddleX;
    private int _ballX;
    private int _ballY;
    private int _lastX;
    private int _lastY;
    private int _dx;
    private int _dy;
    private int _bricksLeft;

    private Breakout(GameDescriptor descriptor, string variant, GameOptions options)
        : base(descriptor, variant, options)
    {
        (_paddleWidth, _brickRows) = variant switch
        {
            "standard" => (2, 3),
            "hard" => (1, 4),
            _ => throw new ArgumentException($"Unknown breakout variant '{variant}'.", nameof(variant)),
        };
    }

    internal static GameDescriptor CreateDescriptor(int disjointOffset) => new(
        "breakout",
        "Move the paddle to keep the ball in play; each brick broken scores +1; missing the ball ends the episode.",
        ["standard", "hard"],
        [GameAction.Noop, GameAction.Left, GameAction.Right],
        new Palette(
        [
            ("background", new Rgb(12, 12, 40)),
            ("paddle", new Rgb(230, 230, 230)),
            ("ball", new Rgb(255, 210, 0)),
            ("trail", new Rgb(140, 90, 0)),
            ("brick", new Rgb(200, 40, 60)),
        ]),
        maxEpisodeSteps: 2000,
        disjointOffset,
        static (d, v, o) => new Breakout(d, v, o));

    internal int PaddleX => _paddleX;

    internal int PaddleWidth => _paddleWidth;

    internal (int X, int Y, int Dx, int Dy) BallState => (_ballX, _ballY, _dx, _dy);

    internal int BricksLeft => _bricksLeft;

    internal bool BrickAt(int x, int y) => _bricks[Index(x, y)];

    /// <summary>Test hook: puts the ball somewhere with a direction.</summary>
    internal void PlaceBall(int x, int y, int dx, int dy)
    {
        (_ballX, _ballY, _lastX, _lastY, _dx, _dy) = (x, y, x, y, dx, dy);
    }

    /// <summary>Test hook: puts the paddle's left cell at <paramref name="x"/>.</summary>
    internal void PlacePaddle(int x) => _paddleX = x;

    private protected override void ResetCore()
    {
        FillWall();
        _paddleX = (Size - _paddleWidth) / 2;
        var fromLeft = Rng.NextInt(2) == 0;
        _ballX = fromLeft ? 0 : Size - 1;
        _ballY = _brickRows + 1;
        _dx = fromLeft ? 1 : -1;
        _dy = 1;
        _lastX = _ballX;
        _lastY = _ballY;
    }

    private void FillWall()
    {
        Array.Clear(_bricks);
        for (var y = 1; y <= _brickRows; y++)
        {
            for (var x = 0; x < Size; x++)
            {
                _bricks[Index(x, y)] = true;
            }
        }

        _bricksLeft = _brickRows * Size;
    }

    private protected override StepResult StepCore(GameAction action)
    {
        if (action == GameAction.Left)
        {
            _paddleX = Math.Max(0, _paddleX - 1);
        }
        else if (action == GameAction.Right)
        {
            _paddleX = Math.Min(Size - _paddleWidth, _paddleX + 1);
        }

        _lastX = _ballX;
        _lastY = _ballY;
        var x = _ballX + _dx;
        var y = _ballY + _dy;
        if ((uint)x >= Size)
        {
            _dx = -_dx;
            x = _ballX + _dx;
        }

        if (y < 0)
        {
            _dy = 1;
            y = _ballY + _dy;
        }

        var reward = 0f;
        var terminal = false;
        if (_bricks[Index(x, y)])
        {
            _bricks[Index(x, y)] = false;
            reward = 1f;
            _dy = -_dy;
            y = _ballY;
            if (--_bricksLeft == 0)
            {
                FillWall();
            }
        }
        else if (y == Size - 1)
        {
            if (x >= _paddleX && x < _paddleX + _paddleWidth)
            {
                _dy = -1;
                y = _ballY;
            }
            else
            {
                terminal = true;
            }
        }

        _ballX = x;
        _ballY = y;
        return new StepResult(reward, terminal);
    }

    private protected override void Draw(Canvas canvas)
    {
        var bricks = _bricks;
        for (var i = Size; i <= (_brickRows * Size) + Size - 1; i++)
        {
            if (bricks[i])
            {
                canvas.Paint(i, Brick);
            }
        }

        if (_lastX != _ballX || _lastY != _ballY)
        {
            canvas.Paint(Index(_lastX, _lastY), Trail);
        }

        canvas.Paint(Index(_ballX, _ballY), Ball);
        var row = (Size - 1) * Size;
        for (var i = 0; i < _paddleWidth; i++)
        {
            canvas.Paint(row + _paddleX + i, Paddle);
        }
    }

    /// <summary>Moves the paddle under the column where the ball will enter the bottom row, found by playing
    /// the ball forward on a copy of the state (bricks and walls included).</summary>
    private protected override GameAction ExpertAction()
    {
        var target = PredictLandingColumn();
        if (target < _paddleX)
        {
            return GameAction.Left;
        }

        return target >= _paddleX + _paddleWidth ? GameAction.Right : GameAction.Noop;
    }

    private int PredictLandingColumn()
    {
        var ball = (Breakout)Scratch;
        ball.CopyStateFrom(this);
        for (var i = 0; i < 4 * Size * Size; i++)
        {
            if (ball._ballY == Size - 2 && ball._dy > 0)
            {
                var x = ball._ballX + ball._dx;
                return (uint)x < Size ? x : ball._ballX - ball._dx;
            }

            ball.StepCore(GameAction.Noop);
        }

        return _ballX;
    }

    private protected override GridGame CreateScratch() => new Breakout(Descriptor, Variant, Options);

    private protected override void CopyStateFrom(GridGame source)
    {
        var s = (Breakout)source;
        Rng = s.Rng;
        Array.Copy(s._bricks, _bricks, _bricks.Length);
        (_paddleX, _ballX, _ballY, _lastX, _lastY, _dx, _dy, _bricksLeft) =
            (s._paddleX, s._ballX, s._ballY, s._lastX, s._lastY, s._dx, s._dy, s._bricksLeft);
    }
}
