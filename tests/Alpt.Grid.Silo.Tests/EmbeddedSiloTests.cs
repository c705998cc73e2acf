using Alpt.Grid.Abstractions.Environments;
using Alpt.Grid.Abstractions.Seeds;
using Alpt.Grid.Abstractions.Sweeps;
using Alpt.Grid.Grains.Environments;
using Alpt.Grid.Grains.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Alpt.Grid.Silo.Tests;

public sealed class EmbeddedSiloTests : IDisposable
{
    private readonly string data = Path.Combine(Path.GetTempPath(), "alpt-embedded-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(data))
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task Workers_run_a_sweep_retrying_failures_and_keeping_the_last_error()
    {
        await using var grid = await EmbeddedGrid.StartAsync(data, o =>
        {
            o.Slots = "cpu*2";
            o.Executor.Kind = "synthetic";
            o.Executor.DelayMilliseconds = 200;
            o.Executor.FailFirstAttempts = 1;
            o.Executor.ThrowSeeds = [2];
        });
        var spec = new SweepSpec
        {
            Name = "faults",
            Targets = ["asterix"],
            Budgets = [300],
            Methods = ["idm-target", "oracle"],
            Seeds = [0, 1, 2, 3],
            MaxAttempts = 3,
        };

        await grid.Grains.GetGrain<ISweepGrain>("faults").Launch(spec);
        var running = await grid.WaitForRunning("faults", TimeSpan.FromSeconds(30));
        Assert.All(running, r => Assert.StartsWith("test-silo/cpu#", r.Worker, StringComparison.Ordinal));
        var status = await grid.WaitForCompletion("faults", TimeSpan.FromSeconds(60));

        Assert.Equal(SweepState.Completed, status.State);
        Assert.Equal(6, status.Counts.Succeeded);
        Assert.Equal(2, status.Counts.Failed);
        Assert.All(status.RecentErrors, e => Assert.Contains("always fails", e, StringComparison.Ordinal));
        var results = await grid.Grains.GetGrain<ISweepGrain>("faults").GetResults();
        foreach (var experiment in results)
        {
            Assert.All(experiment.Seeds.Where(s => s.Seed != 2), s => Assert.Equal((SeedState.Succeeded, 2), (s.State, s.Attempts)));
            var failed = Assert.Single(experiment.Seeds, s => s.Seed == 2);
            Assert.Equal((SeedState.Failed, 3), (failed.State, failed.Attempts));
            Assert.Contains("attempt 3", failed.Error, StringComparison.Ordinal);
            Assert.Equal(3, experiment.Metrics.Single(m => m.Name == "seed").N);
        }
    }

    [Fact]
    public async Task A_dataset_is_generated_once_and_regenerated_when_its_artifact_is_corrupt()
    {
        await using var grid = await EmbeddedGrid.StartAsync(data, o => o.Slots = "none");
        var generated = 0;
        var cache = new DatasetCache(
            grid.Grains,
            grid.Services.GetRequiredService<IArtifactStore>(),
            (key, _) =>
            {
                Interlocked.Increment(ref generated);
                Thread.Sleep(50);
                return [.. Enumerable.Range(0, key.Transitions).Select(i => (byte)i)];
            },
            grid.Services.GetRequiredService<IOptions<GridGrainOptions>>(),
            TimeProvider.System);
        var key = new DatasetKey("seaquest", "default", 1000, "mixed", 7);

        var loads = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => cache.GetAsync(key, CancellationToken.None)));

        Assert.Equal(1, generated);
        Assert.All(loads, bytes => Assert.Equal(1000, bytes.Length));
        var file = Path.Combine(data, "artifacts", key.ArtifactName);
        Assert.True(File.Exists(file));

        // Truncate the stored artifact: the hash check catches it and the dataset is made again.
        await File.WriteAllBytesAsync(file, new byte[10]);
        var reloaded = await cache.GetAsync(key, CancellationToken.None);
        Assert.Equal(2, generated);
        Assert.Equal(loads[0], reloaded);
        var info = await grid.Grains.GetGrain<IEnvironmentGrain>("seaquest/default").GetInfo();
        Assert.Equal(2, info.Generations);
        Assert.Equal(1000, Assert.Single(info.Datasets).Value.Length);
    }

    [Fact]
    public async Task State_survives_a_restart_of_the_embedded_silo()
    {
        var spec = new SweepSpec { Name = "durable", Targets = ["freeway"], Budgets = [10, 20], Methods = ["labelled-only"], Seeds = [0, 1, 2] };
        await using (var grid = await EmbeddedGrid.StartAsync(data, o => o.Slots = "cpu*2"))
        {
            await grid.Grains.GetGrain<ISweepGrain>("durable").Launch(spec);
            Assert.Equal(6, (await grid.WaitForCompletion("durable", TimeSpan.FromSeconds(60))).Counts.Succeeded);
        }

        await using (var grid = await EmbeddedGrid.StartAsync(data, o => o.Slots = "none"))
        {
            var sweep = grid.Grains.GetGrain<ISweepGrain>("durable");
            var status = await sweep.GetStatus();
            Assert.Equal(SweepState.Completed, status.State);
            Assert.Equal(6, status.Counts.Succeeded);
            var relaunch = await sweep.Launch(spec);
            Assert.False(relaunch.Created);
            Assert.Equal(6, (await sweep.GetStatus()).Counts.Succeeded);
            Assert.Contains(await grid.Grains.GetGrain<ISweepRegistryGrain>(0).List(), e => e.SweepId == "durable");
        }
    }

    [Fact]
    public async Task A_second_silo_on_the_same_data_directory_fails_at_start_with_a_clear_message()
    {
        await using var first = await EmbeddedGrid.StartAsync(data, o => o.Slots = "none");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => EmbeddedGrid.StartAsync(data, o => o.Slots = "none"));

        Assert.Contains("is in use by another process", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cuda_worker_on_a_machine_without_cuda_fails_at_start()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => EmbeddedGrid.StartAsync(data, o => o.Slots = "cuda:0"));

        Assert.Contains("worker slot device 'cuda:0' cannot be used", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Azure_mode_without_a_connection_string_is_refused_naming_the_setting()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => EmbeddedGrid.StartAsync(data, o => o.Clustering = Configuration.ClusteringMode.Azure));

        Assert.Contains("no storage connection string is configured", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_hung_trial_is_cancelled_retried_and_failed_while_the_rest_of_the_sweep_goes_on()
    {
        await using var grid = await EmbeddedGrid.StartAsync(data, o =>
        {
            o.Slots = "cpu*2";
            o.LeaseDuration = TimeSpan.FromSeconds(3);
            o.HeartbeatInterval = TimeSpan.FromMilliseconds(100);
            o.TrialStallTimeout = TimeSpan.FromMilliseconds(500);
            o.Executor.Kind = "synthetic";
            o.Executor.DelayMilliseconds = 20;
            o.Executor.HangSeeds = [1];
        });
        var spec = new SweepSpec { Name = "hang", Targets = ["breakout"], Budgets = [123], Methods = ["oracle"], Seeds = [0, 1, 2], MaxAttempts = 2 };

        await grid.Grains.GetGrain<ISweepGrain>("hang").Launch(spec);
        var status = await grid.WaitForCompletion("hang", TimeSpan.FromSeconds(60));

        Assert.Equal(2, status.Counts.Succeeded);
        Assert.Equal(1, status.Counts.Failed);
        var hung = Assert.Single((await grid.Grains.GetGrain<ISweepGrain>("hang").GetResults()).Single().Seeds, s => s.Seed == 1);
        Assert.Equal((SeedState.Failed, 2), (hung.State, hung.Attempts));
        Assert.Contains("no progress", hung.Error, StringComparison.Ordinal);
    }
}
