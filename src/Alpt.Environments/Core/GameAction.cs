namespace Alpt.Environments.Core;

/// <summary>
/// The shared action vocabulary of every game. Each game declares the minimal subset it uses;
/// actions outside it act as <see cref="Noop"/>.
/// </summary>
public enum GameAction : byte
{
    Noop = 0,
    Left = 1,
    Up = 2,
    Right = 3,
    Down = 4,
    Fire = 5,
}

public static class ActionVocabulary
{
    /// <summary>Number of actions in the shared vocabulary.</summary>
    public const int Size = 6;

    public static IReadOnlyList<string> Names { get; } = ["noop", "left", "up", "right", "down", "fire"];
}
