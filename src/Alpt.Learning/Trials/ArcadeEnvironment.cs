using Alpt.Environments.Core;
using Alpt.Environments.Datasets;
using Alpt.Environments.Policies;

namespace Alpt.Learning.Trials;

/// <summary>The project's arcade suite as a trial sees it: catalogue games, the default behaviour mix, measured reference returns.</summary>
public sealed class ArcadeEnvironment : ITrialEnvironment
{
    public static ArcadeEnvironment Instance { get; } = new();

    public DatasetSpec DatasetSpec(GameRef game, int transitions, ulong seed, int scale, ExpertSight experts)
    {
        ArgumentNullException.ThrowIfNull(game);
        return DatasetGenerator.Normalize(new DatasetSpec(game.Game, game.Variant, transitions, BehaviourMix.For(experts), seed, scale));
    }

    public IGame CreateGame(GameRef game)
    {
        ArgumentNullException.ThrowIfNull(game);
        return GameCatalogue.Create(game.Game, game.Variant);
    }

    public int MaxEpisodeSteps(GameRef game)
    {
        ArgumentNullException.ThrowIfNull(game);
        return GameCatalogue.Get(game.Game).MaxEpisodeSteps;
    }

    public ReferenceReturn ReferenceReturns(GameRef game)
    {
        ArgumentNullException.ThrowIfNull(game);
        var score = Alpt.Environments.Policies.ReferenceReturns.Get(game.Game, game.Variant);
        return new ReferenceReturn(score.RandomReturn, score.ExpertReturn);
    }
}

/// <summary>
/// Datasets generated on demand and kept in memory for the life of this object, so the seeds of one
/// experiment (and the sources shared by many) are generated once. Thread-safe.
/// </summary>
public sealed class GeneratedDatasets : IDatasetSource
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<DatasetSpec, Lazy<TrajectoryDataset>> _cache = new();

    public TrajectoryDataset Get(DatasetSpec spec, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var lazy = _cache.GetOrAdd(spec, s => new Lazy<TrajectoryDataset>(() => DatasetGenerator.Generate(s, null, cancellationToken)));
        try
        {
            return lazy.Value;
        }
        catch
        {
            // A cancelled or failed generation must not stay cached.
            _cache.TryRemove(new KeyValuePair<DatasetSpec, Lazy<TrajectoryDataset>>(spec, lazy));
            throw;
        }
    }
}
