using Alpt.Grid.Abstractions.Queue;
using Alpt.Grid.Abstractions.Seeds;
using Alpt.Grid.Abstractions.Sweeps;
using Alpt.Grid.Abstractions.Trials;

namespace Alpt.Grid.Grains.Tests;

/// <summary>A sweep that asks for a device kind is leased only by slots of that kind; status says when no worker offers it.</summary>
[Collection(GridClusterCollection.Name)]
public sealed class DeviceKindLeasingTests(GridClusterFixture fixture)
{
    private IGrainFactory Grains => fixture.Grains;

    private IWorkQueueGrain Queue => Grains.GetGrain<IWorkQueueGrain>(0);

    [Theory]
    [InlineData(DeviceKind.Cuda, DeviceKind.Cpu)]
    [InlineData(DeviceKind.Cpu, DeviceKind.Cuda)]
    public async Task A_sweep_asking_for_a_device_kind_is_leased_only_by_slots_of_that_kind(DeviceKind wanted, DeviceKind other)
    {
        var name = $"device-{wanted.Name()}-only";
        var sweep = Grains.GetGrain<ISweepGrain>(name);
        await sweep.Launch(SpecFixtures.Single(name, seeds: 3) with { Device = wanted });
        var ids = await SeedIdsOf(name);
        Assert.True((await Queue.GetStats()).QueuedByDevice![wanted] >= 3);

        // Slots of the other kind drain everything they can run: none of this sweep's seeds among it.
        var drained = await LeaseAll(other);
        try
        {
            Assert.DoesNotContain(drained, a => ids.Contains(a.SeedId));
            Assert.All(drained, a => Assert.True(other.CanRun(a.Config.Device), $"{a.SeedId} asks for {a.Config.Device}"));
            Assert.Equal(3, (await sweep.GetStatus()).Counts.Queued);
        }
        finally
        {
            await AbandonAll(drained);
        }

        // A slot of the kind asked for takes them, before the work any slot could run.
        var taken = new List<TrialAssignment>();
        for (var i = 0; i < 3; i++)
        {
            taken.Add(Assert.Single(await Queue.Lease("test-" + wanted.Name(), 1, TimeSpan.FromSeconds(60), wanted)));
        }

        Assert.Equal(ids.Order(StringComparer.Ordinal), taken.Select(a => a.SeedId).Order(StringComparer.Ordinal));
        Assert.All(taken, a => Assert.Equal(wanted, a.Config.Device));
        await AbandonAll(taken);
        await sweep.Cancel();
    }

    [Fact]
    public async Task A_sweep_for_any_device_is_leased_by_cpu_and_cuda_slots_alike()
    {
        const string name = "device-any";
        var sweep = Grains.GetGrain<ISweepGrain>(name);
        await sweep.Launch(SpecFixtures.Single(name, seeds: 4));
        var ids = await SeedIdsOf(name);

        var byCpu = await LeaseAll(DeviceKind.Cpu);
        await AbandonAll(byCpu);
        var byCuda = await LeaseAll(DeviceKind.Cuda);
        await AbandonAll(byCuda);

        Assert.Subset(ids, byCpu.Select(a => a.SeedId).ToHashSet());
        Assert.Subset(ids, byCuda.Select(a => a.SeedId).ToHashSet());
        await sweep.Cancel();
    }

    [Fact]
    public async Task Status_says_when_no_live_worker_offers_the_device_kind_a_sweep_asks_for()
    {
        const string name = "device-unserved";
        var sweep = Grains.GetGrain<ISweepGrain>(name);
        var directory = Grains.GetGrain<IWorkerDirectoryGrain>(0);
        await sweep.Launch(SpecFixtures.Single(name, seeds: 2) with { Device = DeviceKind.Cuda });

        await directory.Report("cpu-worker", new() { [DeviceKind.Cpu] = 4 });
        var waiting = (await sweep.GetStatus()).Unserved;
        Assert.NotNull(waiting);
        Assert.Contains("no live worker offers cuda slots", waiting, StringComparison.Ordinal);
        Assert.Contains("only cpu", waiting, StringComparison.Ordinal);

        await directory.Report("gpu-worker", new() { [DeviceKind.Cuda] = 2 });
        Assert.Null((await sweep.GetStatus()).Unserved);

        // A worker not heard from for the expiry (its silo died) no longer counts.
        GridClusterFixture.Clock.Advance(WorkerDirectory.Expiry + TimeSpan.FromSeconds(1));
        await directory.Report("cpu-worker", new() { [DeviceKind.Cpu] = 4 });
        Assert.Contains("no live worker offers cuda slots", (await sweep.GetStatus()).Unserved, StringComparison.Ordinal);

        await directory.Report("gpu-worker", new() { [DeviceKind.Cuda] = 2 });
        await directory.Leave("gpu-worker");
        Assert.NotNull((await sweep.GetStatus()).Unserved);
        await directory.Leave("cpu-worker");
        await sweep.Cancel();
    }

    private async Task<HashSet<string>> SeedIdsOf(string sweepName) =>
        [.. (await Grains.GetGrain<ISweepGrain>(sweepName).GetResults()).SelectMany(e => e.Seeds.Select(s => SweepExpansion.SeedId(e.Id, s.Seed)))];

    /// <summary>Leases everything a slot of this kind can run now (held, so nothing comes back round).</summary>
    private async Task<List<TrialAssignment>> LeaseAll(DeviceKind slot)
    {
        var all = new List<TrialAssignment>();
        for (var i = 0; i < 10_000; i++)
        {
            var leased = await Queue.Lease("test-" + slot.Name(), 50, TimeSpan.FromSeconds(60), slot);
            if (leased.Length == 0)
            {
                return all;
            }

            all.AddRange(leased);
        }

        throw new InvalidOperationException("the queue did not drain");
    }

    private async Task AbandonAll(IEnumerable<TrialAssignment> assignments)
    {
        foreach (var assignment in assignments)
        {
            await Grains.GetGrain<ISeedGrain>(assignment.SeedId).Abandon(assignment.LeaseToken);
        }
    }
}
