namespace Alpt.Environments.Core;

/// <summary>
/// How a game instance behaves beyond its rules.
/// </summary>
/// <param name="StickyActionProbability">Probability that the previous action is repeated instead of the one
/// asked for (as in ALE v5); drawn from a generator seeded by the episode seed, so still deterministic.</param>
/// <param name="DisjointActions">Give the game action ids disjoint from every other game's
/// (<see cref="ActionSpace.Disjoint"/>), for the no-shared-actions experiment.</param>
public sealed record GameOptions(double StickyActionProbability = 0, bool DisjointActions = false)
{
    public static GameOptions Default { get; } = new();

    internal void Validate()
    {
        if (!(StickyActionProbability is >= 0 and < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(StickyActionProbability), StickyActionProbability, "Sticky-action probability must be in [0, 1).");
        }
    }
}
