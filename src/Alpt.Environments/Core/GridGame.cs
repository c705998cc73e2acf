namespace Alpt.Environments.Core;

/// <summary>
/// What every 10×10 game shares: action filtering to the minimal set, sticky actions, rendering from a
/// grid of object kinds through the palette, and the state copy that scripted experts look ahead with.
/// A game only implements its rules (<see cref="ResetCore"/>, <see cref="StepCore"/>), draws object
/// kinds into cells (<see cref="Draw"/>) and plays its expert (<see cref="ExpertAction"/>).
/// </summary>
public abstract class GridGame : IGame
{
    /// <summary>Board height and width of every game in the suite.</summary>
    public const int Size = 10;

    private const int Cells = Size * Size;
    private readonly byte[] _cells = new byte[Cells];
    private readonly bool[] _responds = new bool[ActionVocabulary.Size];
    private readonly double _sticky;
    private GameRng _stickyRng;
    private GameAction _previousAction;
    private GridGame? _scratch;

    /// <summary>The game's own randomness (spawns, speeds); part of the state a lookahead copies.</summary>
    private protected GameRng Rng;

    private protected GridGame(GameDescriptor descriptor, string variant, GameOptions options)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Descriptor = descriptor;
        Variant = variant;
        Options = options;
        _sticky = options.StickyActionProbability;
        foreach (var action in descriptor.MinimalActions)
        {
            _responds[(int)action] = true;
        }

        ActionSpace = options.DisjointActions ? descriptor.DisjointActionSpace : ActionSpace.Shared;
    }

    public GameDescriptor Descriptor { get; }

    public GameOptions Options { get; }

    public string Name => Descriptor.Name;

    public string Variant { get; }

    public IReadOnlyList<GameAction> MinimalActions => Descriptor.MinimalActions;

    public int GridSize => Size;

    public Palette Palette => Descriptor.Palette;

    public ActionSpace ActionSpace { get; }

    public int MaxEpisodeSteps => Descriptor.MaxEpisodeSteps;

    /// <summary>The action last applied to the game (after minimal-set filtering and sticky repetition).</summary>
    public GameAction LastAppliedAction => _previousAction;

    public ObservationShape ShapeAt(int scale = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(scale, 1);
        return new ObservationShape(3, Size * scale, Size * scale);
    }

    public void Reset(ulong seed)
    {
        Rng = new GameRng(seed);
        _stickyRng = new GameRng(GameRng.Derive(seed, 0x571C4));
        _previousAction = GameAction.Noop;
        ResetCore();
    }

    public StepResult Step(GameAction action)
    {
        var index = (int)action;
        if ((uint)index >= ActionVocabulary.Size || !_responds[index])
        {
            action = GameAction.Noop;
        }

        if (_sticky > 0 && _stickyRng.NextDouble() < _sticky)
        {
            action = _previousAction;
        }

        _previousAction = action;
        return StepCore(action);
    }

    public void Render(Span<byte> frame, int scale = 1)
    {
        if (scale < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(scale), scale, "The upscale factor must be at least 1.");
        }

        var plane = Cells * scale * scale;
        if (frame.Length != 3 * plane)
        {
            throw new ArgumentException($"A {Name} frame at scale {scale} is {3 * plane} bytes (3x{Size * scale}x{Size * scale}); the buffer has {frame.Length}.", nameof(frame));
        }

        var cells = _cells;
        Array.Clear(cells);
        Draw(cells);
        var red = Palette.Red;
        var green = Palette.Green;
        var blue = Palette.Blue;
        if (scale == 1)
        {
            var r = frame[..Cells];
            var g = frame.Slice(Cells, Cells);
            var b = frame.Slice(2 * Cells, Cells);
            for (var i = 0; i < Cells; i++)
            {
                var kind = cells[i];
                r[i] = red[kind];
                g[i] = green[kind];
                b[i] = blue[kind];
            }

            return;
        }

        var width = Size * scale;
        for (var y = 0; y < Size; y++)
        {
            for (var x = 0; x < Size; x++)
            {
                var kind = cells[(y * Size) + x];
                for (var dy = 0; dy < scale; dy++)
                {
                    var offset = (((y * scale) + dy) * width) + (x * scale);
                    frame.Slice(offset, scale).Fill(red[kind]);
                    frame.Slice(plane + offset, scale).Fill(green[kind]);
                    frame.Slice((2 * plane) + offset, scale).Fill(blue[kind]);
                }
            }
        }
    }

    /// <summary>The scripted expert's choice in the current state (uses the game's internals; see each game).</summary>
    internal GameAction ChooseExpertAction() => ExpertAction();

    /// <summary>Draws the object kinds (palette indices) of the current state into <paramref name="cells"/>
    /// (row-major, y = 0 at the top), which arrive cleared to the background.</summary>
    private protected abstract void Draw(byte[] cells);

    private protected abstract void ResetCore();

    /// <summary>Applies one action, already filtered to the minimal set.</summary>
    private protected abstract StepResult StepCore(GameAction action);

    private protected abstract GameAction ExpertAction();

    /// <summary>A fresh instance of the same game and variant, used as the expert's lookahead scratch.</summary>
    private protected abstract GridGame CreateScratch();

    /// <summary>Copies every piece of state (the RNG included) from another instance of the same game.</summary>
    private protected abstract void CopyStateFrom(GridGame source);

    /// <summary>
    /// Plays <paramref name="first"/> then <paramref name="then"/> for <paramref name="horizon"/> steps in total
    /// on a copy of the state; true when no terminal state was reached. The copy's future randomness is
    /// the real one: the expert is a scripted oracle, not an agent.
    /// </summary>
    private protected bool Survives(GameAction first, GameAction then, int horizon, out float reward)
    {
        var scratch = _scratch ??= CreateScratch();
        scratch.CopyStateFrom(this);
        reward = 0;
        for (var i = 0; i < horizon; i++)
        {
            var result = scratch.StepCore(i == 0 ? first : then);
            reward += result.Reward;
            if (result.Terminal)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The lookahead copy after the last <see cref="Survives"/> call.</summary>
    private protected GridGame Scratch => _scratch ??= CreateScratch();

    private protected static int Index(int x, int y) => (y * Size) + x;
}
