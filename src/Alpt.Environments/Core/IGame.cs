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

    void Reset(ulong seed);

    StepResult Step(GameAction action);

    /// <summary>Renders the current state as RGB CHW bytes, each cell upscaled by <paramref name="scale"/>.</summary>
    void Render(Span<byte> frame, int scale = 1);
}
