using System.Collections.Concurrent;
using Alpt.Environments.Datasets;
using Alpt.Learning.Tests.Support;
using Alpt.Learning.Trials;
using static TorchSharp.torch;

namespace Alpt.Learning.Tests;

public sealed class DatasetPerSeedTests
{
    [Fact]
    public void The_dataset_seed_is_shared_by_default_and_derived_from_the_trial_seed_when_drawn_per_seed()
    {
        var shared = new DataHyperparameters(DatasetSeed: 7);
        var perSeed = shared with { DatasetPerSeed = true };

        Assert.Equal([7UL, 7UL, 7UL], new[] { 0, 1, 2 }.Select(shared.DatasetSeedFor));
        var seeds = Enumerable.Range(0, 100).Select(perSeed.DatasetSeedFor).ToList();
        Assert.Equal(100, seeds.Distinct().Count());
        Assert.Equal(seeds, Enumerable.Range(0, 100).Select(perSeed.DatasetSeedFor));
        Assert.All(seeds, s => Assert.InRange(s, 0UL, (ulong)int.MaxValue));
        Assert.NotEqual(perSeed.DatasetSeedFor(0), (perSeed with { DatasetSeed = 8 }).DatasetSeedFor(0));
    }

    [Fact]
    public void A_trial_draws_its_target_and_source_datasets_with_its_seed_and_methods_with_one_seed_share_them()
    {
        var datasets = new RecordingDatasets();
        var perSeed = TrialHyperparameters.Smoke with { Data = TrialHyperparameters.Smoke.Data with { DatasetPerSeed = true } };
        TrialSpec Spec(TrialMethod method, int seed, TrialHyperparameters hp) => new(
            new GameRef("synth-a"), method == TrialMethod.Alpt ? [new GameRef("synth-b")] : [], 100, method, seed, hp);

        Run(Spec(TrialMethod.LabelledOnly, 1, perSeed));
        Run(Spec(TrialMethod.LabelledOnly, 2, perSeed));
        Run(Spec(TrialMethod.Alpt, 2, perSeed));
        Run(Spec(TrialMethod.LabelledOnly, 1, TrialHyperparameters.Smoke));
        Run(Spec(TrialMethod.LabelledOnly, 2, TrialHyperparameters.Smoke));

        var target = datasets.Requests.Where(r => r.Game == "synth-a").Select(r => r.Seed).ToList();
        Assert.Equal(5, target.Count);
        Assert.NotEqual(target[0], target[1]);
        Assert.Equal(target[1], target[2]);
        Assert.Equal(perSeed.Data.DatasetSeedFor(2), target[1]);
        Assert.Equal(datasets.Requests.Single(r => r.Game == "synth-b").Seed, target[2]);
        Assert.Equal([TrialHyperparameters.Smoke.Data.DatasetSeed, TrialHyperparameters.Smoke.Data.DatasetSeed], target[3..]);

        void Run(TrialSpec spec) => TrialRunner.Run(spec, datasets, CPU, null, CancellationToken.None, SyntheticEnvironment.Instance);
    }

    private sealed class RecordingDatasets : IDatasetSource
    {
        private readonly ConcurrentQueue<DatasetSpec> _requests = new();

        public IReadOnlyList<DatasetSpec> Requests => [.. _requests];

        public TrajectoryDataset Get(DatasetSpec spec, CancellationToken cancellationToken)
        {
            _requests.Enqueue(spec);
            return SyntheticEnvironment.Instance.Get(spec, cancellationToken);
        }
    }
}
