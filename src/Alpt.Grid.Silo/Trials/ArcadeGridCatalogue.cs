using Alpt.Environments.Core;
using Alpt.Grid.Abstractions.Catalogue;
using Alpt.Learning.Trials;

namespace Alpt.Grid.Silo.Trials;

/// <summary>
/// The grid catalogue of the real suite: every arcade game with its variants, the learning presets
/// and hyperparameter names.
/// </summary>
public static class ArcadeGridCatalogue
{
    /// <summary>The grid's preset name for the record defaults of <see cref="TrialHyperparameters"/> (the paper setting).</summary>
    public const string DefaultPreset = "default";

    public static GridCatalogue Instance { get; } = Build();

    private static GridCatalogue Build()
    {
        var games = GameCatalogue.Games.ToDictionary(
            g => g.Name,
            g => (IReadOnlyList<string>)[.. g.Variants],
            StringComparer.Ordinal);
        return new GridCatalogue(games, GridCatalogue.KnownMethods)
        {
            Presets = [DefaultPreset, .. TrialHyperparameters.PresetNames],
            HyperParameters = HyperparameterOverrides.Names,
            TargetTransitions = TargetTransitions,
        };
    }

    private static int? TargetTransitions(string preset, IReadOnlyDictionary<string, string> overrides)
    {
        try
        {
            return HyperparameterOverrides.Apply(HyperparameterOverrides.Preset(preset), overrides).Data.TargetTransitions;
        }
        catch (ArgumentException)
        {
            // An unknown preset or a bad override: the validation names those itself.
            return null;
        }
    }
}
