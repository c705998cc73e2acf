namespace Alpt.Environments.Core;

/// <summary>
/// What the catalogue knows about one game: its variants, minimal action set, palette, step cap, rules,
/// and its disjoint action head.
/// </summary>
public sealed class GameDescriptor
{
    private readonly Func<GameDescriptor, string, GameOptions, GridGame> _create;

    internal GameDescriptor(
        string name,
        string rules,
        IReadOnlyList<string> variants,
        IReadOnlyList<GameAction> minimalActions,
        Palette palette,
        int maxEpisodeSteps,
        int disjointOffset,
        Func<GameDescriptor, string, GameOptions, GridGame> create)
    {
        Name = name;
        Rules = rules;
        Variants = variants;
        MinimalActions = minimalActions;
        Palette = palette;
        MaxEpisodeSteps = maxEpisodeSteps;
        DisjointActionSpace = ActionSpace.Disjoint(name, minimalActions, disjointOffset);
        _create = create;
    }

    public string Name { get; }

    /// <summary>One-line summary of the rules (the game's class comment has them in full).</summary>
    public string Rules { get; }

    /// <summary>Difficulty variants; the first is the default ("standard").</summary>
    public IReadOnlyList<string> Variants { get; }

    public IReadOnlyList<GameAction> MinimalActions { get; }

    public Palette Palette { get; }

    public int MaxEpisodeSteps { get; }

    /// <summary>This game's own action head when actions are remapped to be disjoint.</summary>
    public ActionSpace DisjointActionSpace { get; }

    public string DefaultVariant => Variants[0];

    internal GridGame Create(string variant, GameOptions options) => _create(this, variant, options);
}
