using Alpt.Environments.Games;

namespace Alpt.Environments.Core;

/// <summary>
/// The suite: every game, its variants, and the one way to create a game instance.
/// Disjoint action heads are laid out after the shared head (ids 0..5), one range per game in catalogue order.
/// </summary>
public static class GameCatalogue
{
    private static readonly GameDescriptor[] Descriptors = Build();

    /// <summary>All games, in a fixed order.</summary>
    public static IReadOnlyList<GameDescriptor> Games => Descriptors;

    /// <summary>Total number of global action ids: the shared head plus every game's disjoint head.</summary>
    public static int GlobalActionCount { get; } = ActionVocabulary.Size + Descriptors.Sum(d => d.MinimalActions.Count);

    public static IReadOnlyList<string> Names { get; } = Descriptors.Select(d => d.Name).ToArray();

    /// <summary>The descriptor of <paramref name="name"/> (case-insensitive); a clear error lists the games otherwise.</summary>
    public static GameDescriptor Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        foreach (var descriptor in Descriptors)
        {
            if (string.Equals(descriptor.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return descriptor;
            }
        }

        throw new ArgumentException($"Unknown game '{name}'. Games: {string.Join(", ", Names)}.", nameof(name));
    }

    /// <summary>Creates a game. <paramref name="variant"/> null means the game's default variant.
    /// The game must be <see cref="IGame.Reset"/> before its first step.</summary>
    public static IGame Create(string name, string? variant = null, GameOptions? options = null) => CreateGrid(name, variant, options);

    internal static GridGame CreateGrid(string name, string? variant = null, GameOptions? options = null)
    {
        var descriptor = Get(name);
        variant = ResolveVariant(descriptor, variant);
        return descriptor.Create(variant, options ?? GameOptions.Default);
    }

    /// <summary>The canonical spelling of a variant of <paramref name="descriptor"/>, or a clear error.</summary>
    public static string ResolveVariant(GameDescriptor descriptor, string? variant)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        if (string.IsNullOrEmpty(variant))
        {
            return descriptor.DefaultVariant;
        }

        foreach (var known in descriptor.Variants)
        {
            if (string.Equals(known, variant, StringComparison.OrdinalIgnoreCase))
            {
                return known;
            }
        }

        throw new ArgumentException($"Unknown variant '{variant}' of {descriptor.Name}. Variants: {string.Join(", ", descriptor.Variants)}.", nameof(variant));
    }

    private static GameDescriptor[] Build()
    {
        var factories = new Func<int, GameDescriptor>[]
        {
            Breakout.CreateDescriptor,
            SpaceInvaders.CreateDescriptor,
            Freeway.CreateDescriptor,
            Asterix.CreateDescriptor,
            Seaquest.CreateDescriptor,
        };
        var descriptors = new GameDescriptor[factories.Length];
        var offset = ActionVocabulary.Size;
        for (var i = 0; i < factories.Length; i++)
        {
            descriptors[i] = factories[i](offset);
            offset += descriptors[i].MinimalActions.Count;
        }

        return descriptors;
    }
}
