using Alpt.Environments.Core;
using Alpt.Environments.Datasets;
using Alpt.Environments.Policies;

namespace Alpt.Learning.Trials;

/// <summary>Gives the dataset of a spec: generated on the spot, or a cached artifact (the grid's choice).</summary>
public interface IDatasetSource
{
    TrajectoryDataset Get(DatasetSpec spec, CancellationToken cancellationToken);
}

/// <summary>Random and expert mean returns of a game variant, for normalized scores.</summary>
public sealed record ReferenceReturn(double Random, double Expert)
{
    public double Normalize(double value) => Expert == Random ? 0 : (value - Random) / (Expert - Random);
}

/// <summary>What a trial needs from the game suite besides datasets: dataset specs, live games, reference returns.</summary>
public interface ITrialEnvironment
{
    /// <summary>The dataset spec (behaviour mix included) of <paramref name="game"/> with this size and seed.</summary>
    DatasetSpec DatasetSpec(GameRef game, int transitions, ulong seed, int scale, ExpertSight experts);

    /// <summary>A fresh game instance to play evaluation episodes in.</summary>
    IGame CreateGame(GameRef game);

    /// <summary>Step cap of one evaluation episode in <paramref name="game"/>.</summary>
    int MaxEpisodeSteps(GameRef game);

    ReferenceReturn ReferenceReturns(GameRef game);
}
