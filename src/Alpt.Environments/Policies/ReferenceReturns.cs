using System.Collections.Concurrent;
using Alpt.Environments.Core;

namespace Alpt.Environments.Policies;

/// <summary>Mean episode returns of the random policy and of the scripted expert in one game variant.</summary>
/// <param name="ExpertReturn">The observed expert's (the one datasets are played by, and scores normalized against).</param>
/// <param name="ClairvoyantExpertReturn">The same expert seeing the game's real future randomness: an upper bound no
/// policy that sees only frames can be expected to reach.</param>
public sealed record ReferenceScore(string Game, string Variant, double RandomReturn, double ExpertReturn, int Episodes, double ClairvoyantExpertReturn)
{
    /// <summary>(return − random) / (expert − random): 0 plays like random, 1 like the expert.</summary>
    public double Normalize(double episodeReturn) => (episodeReturn - RandomReturn) / (ExpertReturn - RandomReturn);
}

/// <summary>
/// Random and expert returns per game variant, measured over <see cref="Episodes"/> fixed-seed episodes
/// (no sticky actions); deterministic, computed once per process and cached.
/// </summary>
public static class ReferenceReturns
{
    /// <summary>Episodes each reference mean is measured over.</summary>
    public const int Episodes = 100;

    private const ulong ReferenceSeed = 0xA1F7_2023;
    private static readonly ConcurrentDictionary<(string, string), Lazy<ReferenceScore>> Cache = new();

    public static ReferenceScore Get(string game, string? variant = null)
    {
        var descriptor = GameCatalogue.Get(game);
        var canonical = GameCatalogue.ResolveVariant(descriptor, variant);
        return Cache.GetOrAdd(
            (descriptor.Name, canonical),
            key => new Lazy<ReferenceScore>(() => Measure(key.Item1, key.Item2))).Value;
    }

    /// <summary>(return − random) / (expert − random) in <paramref name="game"/>/<paramref name="variant"/>.</summary>
    public static double NormalizedScore(string game, string? variant, double episodeReturn) => Get(game, variant).Normalize(episodeReturn);

    private static ReferenceScore Measure(string game, string variant)
    {
        var instance = GameCatalogue.Create(game, variant);
        return new ReferenceScore(
            game,
            variant,
            MeanReturn(instance, BehaviourPolicy.Random()),
            MeanReturn(instance, BehaviourPolicy.Expert(ExpertSight.Observed)),
            Episodes,
            MeanReturn(instance, BehaviourPolicy.Expert(ExpertSight.Clairvoyant)));
    }

    private static double MeanReturn(IGame game, IPolicy policy)
    {
        var sum = 0.0;
        for (var e = 0; e < Episodes; e++)
        {
            sum += EpisodeRunner.Play(game, policy, GameRng.Derive(ReferenceSeed, (ulong)e)).Return;
        }

        return sum / Episodes;
    }
}
