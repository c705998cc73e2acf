using Alpt.Grid.Abstractions.Catalogue;
using Alpt.Grid.Abstractions.Experiments;
using Alpt.Learning.Trials;

namespace Alpt.Grid.Silo.Trials;

/// <summary>Maps the grid's experiment (plus a seed) to the learning pipeline's <see cref="TrialSpec"/>.</summary>
public static class TrialSpecs
{
    public static TrialSpec Of(ExperimentConfig config, int seed)
    {
        ArgumentNullException.ThrowIfNull(config);
        var hp = HyperparameterOverrides.Apply(HyperparameterOverrides.Preset(config.Preset), config.OverrideMap());
        var method = TrialMethods.Parse(config.Method);
        var target = Game(config.Target, config.Variant);
        var sources = method == TrialMethod.Alpt ? config.Sources.Select(s => Game(s, GridCatalogue.DefaultVariant)).ToList() : [];

        // The oracle sees every label: its budget has no meaning, so it is not checked against the dataset.
        return new TrialSpec(
            target,
            sources,
            config.Budget,
            method,
            seed,
            hp,
            config.DisjointActions,
            config.EvalVariant.Length == 0 ? null : Game(config.Target, config.EvalVariant).Variant);
    }

    /// <summary>Builds and validates the trial spec; throws <see cref="ArgumentException"/> naming the experiment.</summary>
    public static TrialSpec Checked(ExperimentConfig config, int seed)
    {
        ArgumentNullException.ThrowIfNull(config);
        try
        {
            var spec = Of(config, seed);
            spec.Validate();
            return spec;
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"experiment {config}: {e.Message}", e);
        }
    }

    /// <summary>"default" is the grid's name for the game's own default variant.</summary>
    private static GameRef Game(string game, string variant)
    {
        var descriptor = Alpt.Environments.Core.GameCatalogue.Get(game);
        return new GameRef(descriptor.Name, variant == GridCatalogue.DefaultVariant ? descriptor.DefaultVariant : Alpt.Environments.Core.GameCatalogue.ResolveVariant(descriptor, variant));
    }
}
