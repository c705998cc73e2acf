using Alpt.Grid.Abstractions.Seeds;
using Alpt.Grid.Abstractions.Sweeps;
using Alpt.Grid.Abstractions.Trials;
using Alpt.Grid.Silo.Workers;
using Microsoft.Extensions.DependencyInjection;

namespace Alpt.Grid.Silo.Tests;

/// <summary>A trial that ignores cancellation keeps using its slot's cores: the slot must not run another trial on top of it.</summary>
public sealed class StubbornTrialTests : IDisposable
{
    private readonly string data = Path.Combine(Path.GetTempPath(), "alpt-stubborn-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(data))
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task A_trial_that_ignores_cancellation_keeps_its_slot_until_it_ends()
    {
        var executor = new StubbornExecutor(TimeSpan.FromSeconds(7));
        await using var grid = await EmbeddedGrid.StartAsync(
            data,
            o =>
            {
                o.Slots = "cpu";
                o.LeaseDuration = TimeSpan.FromSeconds(10);
                o.HeartbeatInterval = TimeSpan.FromMilliseconds(100);
                o.TrialStallTimeout = TimeSpan.FromMilliseconds(300);
            },
            services => services.AddSingleton<ITrialExecutor>(executor));
        var spec = new SweepSpec { Name = "stubborn", Targets = ["breakout"], Budgets = [123], Methods = ["oracle"], Seeds = [0, 1], MaxAttempts = 1 };

        await grid.Grains.GetGrain<ISweepGrain>("stubborn").Launch(spec);
        var status = await grid.WaitForCompletion("stubborn", TimeSpan.FromSeconds(60));

        // The first trial stalls and is failed after the cancel grace, but its thread runs on: the other waits for it.
        Assert.Equal((1, 1), (status.Counts.Succeeded, status.Counts.Failed));
        var failed = (await grid.Grains.GetGrain<ISweepGrain>("stubborn").GetResults()).Single().Seeds.Single(s => s.State == SeedState.Failed);
        Assert.Contains("no progress", failed.Error, StringComparison.Ordinal);
        Assert.Equal(2, executor.Started);
        Assert.Equal(1, executor.MostAtOnce);
    }

    /// <summary>The first trial reports no progress and ignores cancellation for a while; others end at once. Counts trials running at once.</summary>
    private sealed class StubbornExecutor(TimeSpan stubbornFor) : ITrialExecutor
    {
        private int running;
        private int mostAtOnce;
        private int started;

        public int MostAtOnce => Volatile.Read(ref mostAtOnce);

        public int Started => Volatile.Read(ref started);

        public TrialOutcome Run(TrialAssignment assignment, WorkerSlot slot, IProgress<TrialProgress> progress, CancellationToken cancellationToken)
        {
            var first = Interlocked.Increment(ref started) == 1;
            var now = Interlocked.Increment(ref running);
            InterlockedMax(ref mostAtOnce, now);
            try
            {
                if (first)
                {
                    Thread.Sleep(stubbornFor);
                }

                return new TrialOutcome(new Dictionary<string, double> { ["x"] = assignment.Seed }, TimeSpan.Zero);
            }
            finally
            {
                Interlocked.Decrement(ref running);
            }
        }

        private static void InterlockedMax(ref int target, int value)
        {
            int seen;
            while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
            {
            }
        }
    }
}
