namespace Alpt.Environments.Core;

/// <summary>Outcome of one step.</summary>
public readonly record struct StepResult(float Reward, bool Terminal);

/// <summary>
/// One arcade game on a small grid. Deterministic: the same seed and the same actions give the same
/// frames and rewards on every machine. Not thread-safe; one instance per thread.
/// </summary>
public interface IGame
{
    /// <summary>Game name as used on the command line ("breakout").</summary>
    string Name { get; }

    /// <summary>Difficulty variant ("standard", ...).</summary>
    string Variant { get; }

    /// <summary>The actions this game responds to, in the shared vocabulary.</summary>
    IReadOnlyList<GameAction> MinimalActions { get; }

    /// <summary>Grid size (height = width) of the game's board.</summary>
    int GridSize { get; }

    /// <summary>Colours of the game's object kinds (entry 0: background).</summary>
    Palette Palette { get; }

    /// <summary>Ids of this game's actions in a learner's head: shared, or disjoint when the game was
    /// created with <see cref="GameOptions.DisjointActions"/>.</summary>
    ActionSpace ActionSpace { get; }

    /// <summary>Step cap of one episode: runners cut an episode (not terminal) after this many steps.</summary>
    int MaxEpisodeSteps { get; }

    /// <summary>Shape of the frame <see cref="Render"/> writes at <paramref name="scale"/>.</summary>
    ObservationShape ShapeAt(int scale = 1);

    void Reset(ulong seed);

    StepResult Step(GameAction action);

    /// <summary>Renders the current state as RGB CHW bytes, each cell upscaled by <paramref name="scale"/>.
    /// <paramref name="frame"/> must be exactly <c>ShapeAt(scale).Length</c> bytes; nothing is allocated.</summary>
    void Render(Span<byte> frame, int scale = 1);
}
