namespace Alpt.Environments.Core;

/// <summary>
/// What every 10×10 game shares: action filtering to the minimal set, sticky actions, rendering into the
/// caller's buffer through the palette (background fill, then each object painted at the frame's scale), and
/// the state copy that scripted experts look ahead with. A game only implements its rules
/// (<see cref="ResetCore"/>, <see cref="StepCore"/>), paints its objects (<see cref="Draw"/>) and plays its
/// expert (<see cref="ExpertAction"/>).
/// </summary>
public abstract class GridGame : IGame
{
    /// <summary>Board height and width of every game in the suite.</summary>
    public const int Size = 10;

    private const int Cells = Size * Size;
    private readonly bool[] _responds = new bool[ActionVocabulary.Size];
    private readonly double _sticky;
    private GameRng _stickyRng;
    private GameAction _previousAction;
    private GridGame? _scratch;
    private bool _started;

    // An observed expert imagines the future with randomness of its own, drawn once per decision (every
    // candidate line of play sees the same imagined future), never the game's real future.
    private GameRng _imagination;
    private ulong _imaginedFuture;
    private bool _imagining;

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
        _imagination = new GameRng(GameRng.Derive(seed, 0x1A6E));
        _previousAction = GameAction.Noop;
        _started = true;
        ResetCore();
    }

    public StepResult Step(GameAction action)
    {
        if (!_started)
        {
            throw NotStarted();
        }

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

        if (!_started)
        {
            throw NotStarted();
        }

        var plane = Cells * scale * scale;
        if (frame.Length != 3 * plane)
        {
            throw new ArgumentException($"A {Name} frame at scale {scale} is {3 * plane} bytes (3x{Size * scale}x{Size * scale}); the buffer has {frame.Length}.", nameof(frame));
        }

        // Background first (vectorized fills), then each object paints its own cells: cheaper than mapping every cell.
        var background = 0;
        frame[..plane].Fill(Palette.Red[background]);
        frame.Slice(plane, plane).Fill(Palette.Green[background]);
        frame.Slice(2 * plane, plane).Fill(Palette.Blue[background]);
        Draw(new Canvas(frame, scale, Palette));
    }

    private InvalidOperationException NotStarted() => new($"Reset the {Name} game with a seed before stepping or rendering it.");

    /// <summary>The scripted expert's choice in the current state (uses the game's internals; see each game).
    /// <see cref="ExpertSight.Observed"/>: its lookahead plays on from the current state with imagined randomness;
    /// <see cref="ExpertSight.Clairvoyant"/>: with the game's real future randomness.</summary>
    internal GameAction ChooseExpertAction(ExpertSight sight)
    {
        if (!_started)
        {
            throw NotStarted();
        }

        if (sight == ExpertSight.Clairvoyant)
        {
            return ExpertAction();
        }

        _imaginedFuture = _imagination.NextUInt64();
        _imagining = true;
        try
        {
            return ExpertAction();
        }
        finally
        {
            _imagining = false;
        }
    }

    /// <summary>Replaces the game's future randomness (spawns, bombs) and nothing else: what the frames have shown
    /// stays as it is. For tests of what an expert knows.</summary>
    internal void ReseedFuture(ulong seed) => Rng = new GameRng(seed);

    /// <summary>Paints the object kinds (palette indices) of the current state onto <paramref name="canvas"/>,
    /// which arrives filled with the background; a later paint of a cell wins.</summary>
    private protected abstract void Draw(Canvas canvas);

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
    /// on a copy of the state; true when no terminal state was reached. The copy's future randomness is the
    /// real one for a clairvoyant expert, and for an observed expert one it imagines (see
    /// <see cref="ChooseExpertAction"/>).
    /// </summary>
    private protected bool Survives(GameAction first, GameAction then, int horizon, out float reward)
    {
        var scratch = Scratch;
        scratch.CopyStateFrom(this);
        if (_imagining)
        {
            scratch.Rng = new GameRng(_imaginedFuture);
        }

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

    /// <summary>True when some fixed continuation (one of the minimal actions, repeated) survives
    /// <paramref name="horizon"/> steps after <paramref name="first"/>; <paramref name="reward"/> is the first such line's reward.</summary>
    private protected bool SurvivesWithSomeContinuation(GameAction first, int horizon, out float reward)
    {
        var minimal = Descriptor.MinimalActions;
        for (var i = 0; i < minimal.Count; i++)
        {
            if (Survives(first, minimal[i], horizon, out reward))
            {
                return true;
            }
        }

        reward = 0;
        return false;
    }

    /// <summary>The lookahead copy after the last <see cref="Survives"/> call.</summary>
    private protected GridGame Scratch => _scratch ??= StartedScratch();

    private GridGame StartedScratch()
    {
        var scratch = CreateScratch();
        scratch._started = true;
        return scratch;
    }

    private protected static int Index(int x, int y) => (y * Size) + x;

    /// <summary>A periodic timer without division: true once every <paramref name="period"/> calls
    /// (the first time on call number <paramref name="period"/> when started at <paramref name="period"/>).</summary>
    private protected static bool Every(ref int countdown, int period)
    {
        if (--countdown > 0)
        {
            return false;
        }

        countdown = period;
        return true;
    }

    /// <summary>A frame being rendered: paints cells (row-major index, y = 0 at the top) in palette colours at the frame's scale.</summary>
    private protected readonly ref struct Canvas
    {
        private readonly Span<byte> _frame;
        private readonly int _scale;
        private readonly int _plane;
        private readonly byte[] _red;
        private readonly byte[] _green;
        private readonly byte[] _blue;

        public Canvas(Span<byte> frame, int scale, Palette palette)
        {
            _frame = frame;
            _scale = scale;
            _plane = frame.Length / 3;
            _red = palette.Red;
            _green = palette.Green;
            _blue = palette.Blue;
        }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public void Paint(int cell, byte kind)
        {
            if (_scale == 1)
            {
                _frame[cell] = _red[kind];
                _frame[_plane + cell] = _green[kind];
                _frame[(2 * _plane) + cell] = _blue[kind];
                return;
            }

            PaintScaled(cell, kind);
        }

        private void PaintScaled(int cell, byte kind)
        {
            var width = Size * _scale;
            var x = cell % Size;
            var y = cell / Size;
            for (var dy = 0; dy < _scale; dy++)
            {
                var offset = (((y * _scale) + dy) * width) + (x * _scale);
                _frame.Slice(offset, _scale).Fill(_red[kind]);
                _frame.Slice(_plane + offset, _scale).Fill(_green[kind]);
                _frame.Slice((2 * _plane) + offset, _scale).Fill(_blue[kind]);
            }
        }
    }
}
