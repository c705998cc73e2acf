using Alpt.Grid.Abstractions.Catalogue;
using Alpt.Grid.Abstractions.Experiments;
using Alpt.Grid.Abstractions.Trials;

namespace Alpt.Grid.Abstractions.Sweeps;

/// <summary>
/// Turns a (valid) spec into its experiments, in a deterministic order with deterministic ids. Each method
/// is multiplied only by the dimensions that change it (<see cref="GridCatalogue.UsesSources"/>,
/// <see cref="GridCatalogue.UsesBudget"/>, <see cref="GridCatalogue.UsesDisjointActions"/>).
/// </summary>
public static class SweepExpansion
{
    public static IReadOnlyList<ExperimentConfig> Experiments(SweepSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var overrides = spec.Overrides.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => $"{o.Key}={o.Value}").ToArray();
        var noSources = Array.Empty<string>();
        int[] allLabels = [ExperimentConfig.AllLabels];
        bool[] sharedActions = [false];
        var experiments = new List<ExperimentConfig>();
        foreach (var target in spec.Targets)
        {
            foreach (var variant in spec.Variants)
            {
                foreach (var method in spec.Methods)
                {
                    var sourceSets = GridCatalogue.UsesSources(method)
                        ? spec.SourceSets.Select(s => s.Order(StringComparer.Ordinal).ToArray())
                        : [noSources];
                    // The oracle sees every label: one experiment, not one per budget.
                    var budgets = GridCatalogue.UsesBudget(method) ? spec.Budgets : allLabels;
                    // Disjoint action ids change nothing for a method without sources: it runs once, shared.
                    var disjointActions = GridCatalogue.UsesDisjointActions(method) ? spec.DisjointActions : sharedActions;
                    foreach (var sources in sourceSets)
                    {
                        foreach (var budget in budgets)
                        {
                            foreach (var disjoint in disjointActions)
                            {
                                foreach (var eval in spec.EvalVariants)
                                {
                                    experiments.Add(new ExperimentConfig
                                    {
                                        Target = target,
                                        Variant = variant,
                                        Sources = sources,
                                        Budget = budget,
                                        Method = method,
                                        Preset = spec.Preset,
                                        Overrides = overrides,
                                        DisjointActions = disjoint,
                                        EvalVariant = eval,
                                        Device = spec.Device,
                                    });
                                }
                            }
                        }
                    }
                }
            }
        }

        return experiments;
    }

    /// <summary>
    /// The sweep's default id: its name when it has one, else a hash of the whole spec, so launching
    /// the same spec twice addresses the same sweep.
    /// </summary>
    public static string DefaultId(SweepSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return spec.Name.Length > 0 ? spec.Name : "sweep-" + ExperimentConfig.Hash(Fingerprint(spec), 12);
    }

    /// <summary>Canonical text of the spec: two specs with the same fingerprint are the same sweep.</summary>
    public static string Fingerprint(SweepSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var experiments = string.Join('\n', Experiments(spec).Select(e => e.Id));
        // The device kind is named only when asked for, so the fingerprints of earlier sweeps stay the same.
        var device = spec.Device == DeviceKind.Any ? "" : $"\ndevice={spec.Device.Name()}";
        return $"{experiments}\nseeds={string.Join(',', spec.Seeds)}\nmaxAttempts={spec.MaxAttempts}{device}";
    }

    /// <summary>The seed grain key of one trial.</summary>
    public static string SeedId(string experimentId, int seed) =>
        $"{experimentId}/{seed.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
}
