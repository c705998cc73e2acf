using Alpt.Grid.Abstractions.Environments;
using Alpt.Grid.Abstractions.Seeds;
using Alpt.Grid.Abstractions.Sweeps;
using Alpt.Grid.Grains.Environments;
using Alpt.Grid.Abstractions.Trials;
using Alpt.Grid.Grains.Hosting;
using Alpt.Grid.Silo.Workers;
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

            // The succeeded seeds' curves, stored with their results in the directory store; none for the failed one.
            var curves = await grid.Grains.GetGrain<Abstractions.Experiments.IExperimentGrain>(experiment.Id).GetCurves();
            Assert.Equal([0, 1, 3], curves.Select(c => c.Seed));
            Assert.All(curves, c => Assert.Equal(NoOpTrialExecutor.SyntheticCurves(new TrialAssignment("", experiment.Id, experiment.Config, c.Seed, 2, Guid.Empty, default)).Select(x => (x.Name, x.Values.Sum())), c.Curves.Select(x => (x.Name, x.Values.Sum()))));
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

    /// <summary>Either backend: a device beyond this machine's GPUs (cuda:0 where there are none) stops a learning worker at start.</summary>
    [Fact]
    public async Task A_learning_worker_on_a_cuda_device_this_machine_lacks_fails_at_start()
    {
        var device = $"cuda:{Alpt.Learning.Runtime.TorchRuntime.CudaDeviceCount()}";

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => EmbeddedGrid.StartAsync(data, o =>
        {
            o.Slots = device;
            o.Executor.Kind = "learning";
        }));

        Assert.Contains($"worker slot device '{device}' cannot be used", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Either backend: "gpu" is one slot per visible GPU, and none visible stops the silo at start.</summary>
    [Fact]
    public async Task A_bare_gpu_slot_spec_gets_a_slot_per_visible_gpu_and_fails_at_start_where_none_is_visible()
    {
        var visible = SlotHardware.Detect().VisibleGpus;
        if (visible > 0)
        {
            await using var grid = await EmbeddedGrid.StartAsync(data, o => o.Slots = "gpu");
            Assert.Equal(visible, grid.Services.GetRequiredService<SlotPlan>().Slots.Count);
            return;
        }

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => EmbeddedGrid.StartAsync(data, o => o.Slots = "gpu"));

        Assert.Contains("one slot per visible GPU was asked for, but no GPU is visible", error.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// A real embedded silo with one CUDA and one CPU slot (synthetic trials: the slot's device is a label,
    /// so no GPU is needed): a cuda sweep runs only on the CUDA slot, a cpu sweep only on the CPU slot, an
    /// any sweep on both; the slots' thread budgets come from the plan over both.
    /// </summary>
    [Fact]
    public async Task Sweeps_run_only_on_slots_of_the_device_kind_they_ask_for()
    {
        var log = Path.Combine(data, "executions.log");
        Directory.CreateDirectory(data);
        await using var grid = await EmbeddedGrid.StartAsync(data, o =>
        {
            o.Slots = "cuda:0,cpu";
            o.Executor.Kind = "synthetic";
            o.Executor.DelayMilliseconds = 50;
            o.Executor.ExecutionLog = log;
        });
        var plan = grid.Services.GetRequiredService<SlotPlan>();
        Assert.Equal([("cuda:0", 1), ("cpu", Math.Max(1, Environment.ProcessorCount - 1))], plan.Slots.Select(s => (s.Device, s.Threads)));
        SweepSpec Spec(string name, string target, DeviceKind device) => new()
        {
            Name = name,
            Targets = [target],
            Budgets = [300],
            Methods = ["idm-target"],
            Seeds = [0, 1, 2, 3, 4, 5],
            Device = device,
        };

        await grid.Grains.GetGrain<ISweepGrain>("on-cuda").Launch(Spec("on-cuda", "freeway", DeviceKind.Cuda));
        await grid.Grains.GetGrain<ISweepGrain>("on-cpu").Launch(Spec("on-cpu", "asterix", DeviceKind.Cpu));
        await grid.Grains.GetGrain<ISweepGrain>("on-any").Launch(Spec("on-any", "breakout", DeviceKind.Any));
        foreach (var sweep in new[] { "on-cuda", "on-cpu", "on-any" })
        {
            Assert.Equal(6, (await grid.WaitForCompletion(sweep, TimeSpan.FromSeconds(60))).Counts.Succeeded);
        }

        var runs = File.ReadAllLines(log).Select(l => l.Split(' ')).ToList();
        Assert.All(runs.Where(r => r[0].StartsWith("freeway-", StringComparison.Ordinal)), r => Assert.Equal("cuda:0#0", r[2]));
        Assert.All(runs.Where(r => r[0].StartsWith("asterix-", StringComparison.Ordinal)), r => Assert.Equal("cpu#1", r[2]));
        Assert.Equal(18, runs.Count);
        Assert.Equal(6, runs.Count(r => r[0].StartsWith("freeway-", StringComparison.Ordinal)));
        Assert.Equal(6, runs.Count(r => r[0].StartsWith("asterix-", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Status_of_a_cuda_sweep_on_a_grid_with_only_cpu_slots_says_no_worker_offers_cuda()
    {
        await using var grid = await EmbeddedGrid.StartAsync(data, o =>
        {
            o.Slots = "cpu*2";
            o.Executor.Kind = "synthetic";
        });
        var sweep = grid.Grains.GetGrain<ISweepGrain>("wants-cuda");
        await sweep.Launch(new SweepSpec { Name = "wants-cuda", Targets = ["seaquest"], Budgets = [300], Methods = ["idm-target"], Seeds = [0, 1], Device = DeviceKind.Cuda });

        // The worker tells the directory its slots as it starts; give it a moment, then nothing ran.
        SweepStatus status;
        var waited = System.Diagnostics.Stopwatch.StartNew();
        do
        {
            await Task.Delay(100);
            status = await sweep.GetStatus();
        }
        while (status.Unserved?.Contains("only cpu", StringComparison.Ordinal) != true && waited.Elapsed < TimeSpan.FromSeconds(10));

        Assert.Equal(2, status.Counts.Queued);
        Assert.Contains("no live worker offers cuda slots (live workers offer only cpu slots)", status.Unserved, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_launch_straight_to_the_grains_with_a_budget_beyond_the_target_dataset_is_refused_naming_it()
    {
        await using var grid = await EmbeddedGrid.StartAsync(data, o => o.Slots = "none");
        var sweep = grid.Grains.GetGrain<ISweepGrain>("too-big");

        // The smoke preset's target dataset has 2,000 transitions; an override can make it larger.
        var error = await Assert.ThrowsAsync<InvalidSweepSpecException>(() => sweep.Launch(
            new SweepSpec { Name = "too-big", Targets = ["freeway"], Budgets = [500, 2_001], Methods = ["idm-target"], Seeds = [0], Preset = "smoke" }));
        var launch = await sweep.Launch(new SweepSpec
        {
            Name = "too-big", Targets = ["freeway"], Budgets = [500, 2_001], Methods = ["idm-target"], Seeds = [0], Preset = "smoke",
            Overrides = new(StringComparer.Ordinal) { ["data.targetTransitions"] = "3000" },
        });

        Assert.Equal(["budget 2001 is larger than the target dataset (2000 transitions of preset 'smoke')"], error.Problems);
        Assert.True(launch.Created);
        Assert.Equal(2, await sweep.Cancel());
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
