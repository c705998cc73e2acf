using Alpt.Grid.Abstractions.Queue;
using Alpt.Grid.Abstractions.Seeds;
using Alpt.Grid.Abstractions.Sweeps;
using Alpt.Grid.Abstractions.Trials;

namespace Alpt.Grid.Grains.Tests.Faults;

internal static class GridDriver
{
    /// <summary>Leases from the single queue partition until a seed of this sweep comes up (other tests' seeds are handed back); null when none is queued.</summary>
    public static async Task<TrialAssignment?> TryLeaseSeedOf(IGrainFactory grains, string sweepName, string worker = "test-worker")
    {
        var queue = grains.GetGrain<IWorkQueueGrain>(0);
        var experimentIds = (await grains.GetGrain<ISweepGrain>(sweepName).GetResults()).Select(r => r.Id).ToHashSet();
        var others = new List<TrialAssignment>();
        try
        {
            for (var i = 0; i < 1000; i++)
            {
                var leased = await queue.Lease(worker, 1, TimeSpan.FromSeconds(60));
                if (leased.Length == 0)
                {
                    return null;
                }

                if (experimentIds.Contains(leased[0].ExperimentId))
                {
                    return leased[0];
                }

                others.Add(leased[0]);
            }

            return null;
        }
        finally
        {
            foreach (var other in others)
            {
                await grains.GetGrain<ISeedGrain>(other.SeedId).Abandon(other.LeaseToken);
            }
        }
    }

    public static async Task<TrialAssignment> LeaseSeedOf(IGrainFactory grains, string sweepName) =>
        await TryLeaseSeedOf(grains, sweepName) ?? throw new InvalidOperationException($"no seed of {sweepName} in the queue");
}
