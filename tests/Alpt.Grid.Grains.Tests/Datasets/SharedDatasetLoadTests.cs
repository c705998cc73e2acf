using Alpt.Environments.Datasets;
using Alpt.Environments.Policies;
using Alpt.Grid.Grains.Environments;
using Alpt.Grid.Grains.Hosting;
using Alpt.Grid.Silo.Trials;
using Generator = Alpt.Grid.Grains.Environments.DatasetGenerator;
using Microsoft.Extensions.Options;

namespace Alpt.Grid.Grains.Tests.Datasets;

/// <summary>Trials of one process share a dataset load; cancelling one of them must not fail the others.</summary>
[Collection(GridClusterCollection.Name)]
public sealed class SharedDatasetLoadTests(GridClusterFixture fixture) : IDisposable
{
    private readonly string artifacts = Path.Combine(Path.GetTempPath(), "alpt-shared-load-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(artifacts))
        {
            Directory.Delete(artifacts, recursive: true);
        }
    }

    [Fact]
    public async Task Cancelling_the_first_trial_waiting_on_a_dataset_does_not_fail_the_others()
    {
        using var release = new ManualResetEventSlim();
        var generations = 0;
        Generator generator = (key, ct) =>
        {
            Interlocked.Increment(ref generations);
            release.Wait(ct);
            return GridDatasets.Generate(key, ct);
        };
        var datasets = new GridDatasets(new DatasetCache(fixture.Grains, new LocalArtifactStore(artifacts), generator, Options.Create(new GridGrainOptions()), TimeProvider.System));
        var spec = Alpt.Environments.Datasets.DatasetGenerator.Normalize(new DatasetSpec("freeway", "standard", 200, BehaviourMix.Default, (ulong)Random.Shared.Next(1_000_000, int.MaxValue)));

        using var firstCancel = new CancellationTokenSource();
        var first = Task.Factory.StartNew(() => datasets.Get(spec, firstCancel.Token), TaskCreationOptions.LongRunning);
        for (var i = 0; i < 200 && Volatile.Read(ref generations) == 0; i++)
        {
            await Task.Delay(25);
        }

        var second = Task.Factory.StartNew(() => datasets.Get(spec, CancellationToken.None), TaskCreationOptions.LongRunning);
        await Task.Delay(200);

        // The first trial is cancelled while the dataset it started loading is still being made.
        await firstCancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
        release.Set();

        var dataset = await second.WaitAsync(TimeSpan.FromMinutes(1));
        Assert.Equal(200, dataset.TransitionCount);
        Assert.Equal(1, Volatile.Read(ref generations));
    }
}
