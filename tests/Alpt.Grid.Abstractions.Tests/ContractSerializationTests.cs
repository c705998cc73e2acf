using Alpt.Grid.Abstractions.Catalogue;
using Alpt.Grid.Abstractions.Experiments;
using Alpt.Grid.Abstractions.Sweeps;
using Alpt.Grid.Abstractions.Trials;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace Alpt.Grid.Abstractions.Tests;

/// <summary>The contracts cross silos and live in storage: they must survive Orleans' serializer intact.</summary>
public sealed class ContractSerializationTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddSerializer().BuildServiceProvider();

    private Serializer Serializer => _services.GetRequiredService<Serializer>();

    private T RoundTrip<T>(T value) =>
        Serializer.Deserialize<T>(Serializer.SerializeToArray(value)) ?? throw new InvalidOperationException($"{typeof(T).Name} deserialized to null");

    public void Dispose() => _services.Dispose();

    private static SweepSpec Spec() => new()
    {
        Name = "round-trip",
        Targets = ["breakout", "freeway"],
        Variants = [GridCatalogue.DefaultVariant, "hard"],
        SourceSets = [[], ["asterix"], ["asterix", "seaquest:hard"]],
        Budgets = [100, 400],
        Methods = ["labelled-only", "idm-target", "alpt", "oracle"],
        Seeds = [0, 1, 2],
        Preset = "smoke",
        Overrides = new(StringComparer.Ordinal) { ["idm.steps"] = "50" },
        DisjointActions = [false, true],
        EvalVariants = ["", "hard"],
        MaxAttempts = 4,
    };

    [Fact]
    public void A_sweep_spec_round_trips_with_every_dimension_and_its_fingerprint()
    {
        var spec = Spec();

        var copy = RoundTrip(spec);

        Assert.Equal(spec.Targets, copy.Targets);
        Assert.Equal(spec.SourceSets, copy.SourceSets);
        Assert.Equal(spec.Budgets, copy.Budgets);
        Assert.Equal(spec.Overrides, copy.Overrides);
        Assert.Equal(spec.DisjointActions, copy.DisjointActions);
        Assert.Equal(spec.EvalVariants, copy.EvalVariants);
        Assert.Equal(spec.MaxAttempts, copy.MaxAttempts);
        Assert.Equal(spec.TrialCount(), copy.TrialCount());
        Assert.Equal(SweepExpansion.Fingerprint(spec), SweepExpansion.Fingerprint(copy));
    }

    [Fact]
    public void Expanded_experiments_keep_their_ids_through_the_serializer()
    {
        var experiments = SweepExpansion.Experiments(Spec());

        var copies = experiments.Select(e => RoundTrip(e)).ToList();

        Assert.Equal(experiments.Select(e => e.Id), copies.Select(c => c.Id));
        Assert.Equal(experiments.Count, copies.Select(c => c.Id).Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void An_assignment_and_an_outcome_round_trip_with_lease_metrics_and_curves()
    {
        var config = SweepExpansion.Experiments(Spec())[0];
        var assignment = new TrialAssignment(
            SweepExpansion.SeedId(config.Id, 2), config.Id, config, 2, 3, Guid.NewGuid(), DateTimeOffset.UnixEpoch.AddHours(5));
        var outcome = new TrialOutcome(
            new Dictionary<string, double> { [TrialMetrics.IdmAccuracy] = 0.875, [TrialMetrics.NormalizedReturn] = -0.125 },
            TimeSpan.FromSeconds(42.5),
            [new TrialCurve("idm", TrialCurves.Loss, [10, 20], [1.5, 0.75]), new TrialCurve("policy", TrialCurves.NormalizedReturn, [100], [0.25])]);

        var assignmentCopy = RoundTrip(assignment);
        var outcomeCopy = RoundTrip(outcome);

        Assert.Equal(assignment.LeaseToken, assignmentCopy.LeaseToken);
        Assert.Equal(assignment.LeaseExpiresAt, assignmentCopy.LeaseExpiresAt);
        Assert.Equal(assignment.Config.Id, assignmentCopy.Config.Id);
        Assert.Equal((assignment.SeedId, assignment.Seed, assignment.Attempt), (assignmentCopy.SeedId, assignmentCopy.Seed, assignmentCopy.Attempt));
        Assert.Equal(outcome.Metrics, outcomeCopy.Metrics);
        Assert.Equal(outcome.Duration, outcomeCopy.Duration);
        Assert.Equal(outcome.Curves!.Select(c => (c.Name, c.Steps.ToList(), c.Values.ToList())), outcomeCopy.Curves!.Select(c => (c.Name, c.Steps.ToList(), c.Values.ToList())));
        Assert.Null(RoundTrip(outcome with { Curves = null }).Curves);
    }
}
