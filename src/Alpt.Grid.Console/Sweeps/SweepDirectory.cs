using Alpt.Grid.Abstractions.Experiments;
using Alpt.Grid.Abstractions.Sweeps;
using Alpt.Grid.Abstractions.Trials;

namespace Alpt.Grid.Console.Sweeps;

/// <summary>A console sweep (one grid sweep, or the parts "name.target" of a split one) and its grains.</summary>
public sealed class SweepHandle(IGrainFactory grains, string id, IReadOnlyList<string> parts)
{
    public string Id { get; } = id;

    public IGrainFactory Grains { get; } = grains;

    /// <summary>The grid sweep ids this sweep consists of.</summary>
    public IReadOnlyList<string> Parts { get; } = parts;

    public ISweepGrain Grain(string part) => Grains.GetGrain<ISweepGrain>(part);

    /// <summary>The sweep <paramref name="id"/>, or a clear error listing the known ones.</summary>
    public static async Task<SweepHandle> FindAsync(IGrainFactory grains, string id)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(id);
        var entries = await grains.GetGrain<ISweepRegistryGrain>(0).List();
        var parts = entries.Where(e => e.SweepId == id).Select(e => e.SweepId).ToList();
        if (parts.Count == 0)
        {
            parts = [.. entries.Where(e => e.SweepId.StartsWith(id + ".", StringComparison.Ordinal)).Select(e => e.SweepId)];
        }

        if (parts.Count == 0)
        {
            var known = entries.Length == 0 ? "there are none yet" : "known: " + string.Join(", ", GroupNames(entries.Select(e => e.SweepId)));
            throw new KeyNotFoundException($"sweep '{id}' does not exist ({known})");
        }

        return new SweepHandle(grains, id, parts);
    }

    /// <summary>Console sweep names: "paper.breakout" and "paper.freeway" are both "paper".</summary>
    public static IEnumerable<string> GroupNames(IEnumerable<string> gridIds) =>
        gridIds.Select(i => i.Contains('.', StringComparison.Ordinal) ? i[..i.IndexOf('.', StringComparison.Ordinal)] : i).Distinct(StringComparer.Ordinal);

    /// <summary>Launches every part (idempotent: launching again resumes); returns what each launch did.</summary>
    public static async Task<(SweepHandle Handle, SweepLaunch[] Launches)> LaunchAsync(IGrainFactory grains, SweepDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(definition);
        var launches = new List<SweepLaunch>();
        foreach (var part in definition.Parts)
        {
            launches.Add(await grains.GetGrain<ISweepGrain>(part.Name).Launch(part));
        }

        return (new SweepHandle(grains, definition.Name, [.. definition.Parts.Select(p => p.Name)]), [.. launches]);
    }

    public async Task<SweepStatus> GetStatusAsync()
    {
        var statuses = await Task.WhenAll(Parts.Select(p => Grain(p).GetStatus()));
        var counts = statuses.Aggregate(StateCounts.Zero, (a, s) => a + s.Counts);
        var state = statuses.Any(s => s.State == SweepState.Running) ? SweepState.Running
            : statuses.Any(s => s.State == SweepState.Cancelled) ? SweepState.Cancelled
            : statuses.All(s => s.State == SweepState.Completed) ? SweepState.Completed
            : SweepState.Unknown;
        var eta = statuses.Select(s => s.Eta).Where(e => e is not null).Max();
        return new SweepStatus(
            Id, state, counts, statuses.Sum(s => s.Experiments), statuses.Min(s => s.LaunchedAt), eta,
            [.. statuses.SelectMany(s => s.RecentErrors).Take(10)],
            statuses.Select(s => s.Unserved).FirstOrDefault(u => u is not null));
    }

    public async Task<ExperimentSummary[]> GetResultsAsync()
    {
        var results = await Task.WhenAll(Parts.Select(p => Grain(p).GetResults()));
        return [.. results.SelectMany(r => r)];
    }

    /// <summary>
    /// The stored curves of the succeeded seeds of these experiments (id → seeds' curves), a few experiments at
    /// a time; <paramref name="progress"/> hears how many experiments have been read.
    /// </summary>
    public async Task<Dictionary<string, SeedCurves[]>> GetCurvesAsync(IReadOnlyList<string> experimentIds, IProgress<int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(experimentIds);
        var curves = new Dictionary<string, SeedCurves[]>(StringComparer.Ordinal);
        foreach (var chunk in experimentIds.Chunk(32))
        {
            var read = await Task.WhenAll(chunk.Select(id => Grains.GetGrain<IExperimentGrain>(id).GetCurves()));
            foreach (var (id, seeds) in chunk.Zip(read))
            {
                curves[id] = seeds;
            }

            progress?.Report(curves.Count);
        }

        return curves;
    }

    /// <summary>The specs of the sweep's parts, in order (a part whose spec is gone is left out).</summary>
    public async Task<SweepSpec[]> GetSpecsAsync() => [.. (await Task.WhenAll(Parts.Select(p => Grain(p).GetSpec()))).OfType<SweepSpec>()];

    public async Task<int> CancelAsync() => (await Task.WhenAll(Parts.Select(p => Grain(p).Cancel()))).Sum();

    public async Task<int> RetryFailedAsync() => (await Task.WhenAll(Parts.Select(p => Grain(p).RetryFailed()))).Sum();
}
