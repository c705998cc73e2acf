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
        // A source is "game" or "game:variant" (the grid's own spelling, GridCatalogue.SplitSource).
        var sources = method == TrialMethod.Alpt
            ? config.Sources.Select(GridCatalogue.SplitSource).Select(s => Game(s.Game, s.Variant ?? GridCatalogue.DefaultVariant)).ToList()
            : [];

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

    /// <summary>The grid's default variant name, or "default", is the game's own default variant.</summary>
    private static GameRef Game(string game, string variant)
    {
        var descriptor = Alpt.Environments.Core.GameCatalogue.Get(game);
        return new GameRef(descriptor.Name, variant is GridCatalogue.DefaultVariant or "default" ? descriptor.DefaultVariant : Alpt.Environments.Core.GameCatalogue.ResolveVariant(descriptor, variant));
    }
}
