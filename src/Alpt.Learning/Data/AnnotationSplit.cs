using Alpt.Environments.Datasets;

namespace Alpt.Learning.Data;

/// <summary>
/// Which target transitions carry action labels: whole trajectory segments (as a human annotator
/// would label stretches of gameplay), chosen at random, adding up to exactly the budget.
/// </summary>
public sealed record AnnotationSplit(IReadOnlyList<TransitionRun> Labelled, int[] LabelledTransitions, int[] UnlabelledTransitions)
{
    /// <summary>
    /// Cuts every episode into consecutive segments of <paramref name="segmentLength"/>, shuffles them
    /// with <paramref name="seed"/>, and takes segments until the budget is spent (the last one cut short).
    /// </summary>
    public static AnnotationSplit Pick(TrajectoryDataset dataset, int budget, int segmentLength, int seed)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentOutOfRangeException.ThrowIfLessThan(segmentLength, 1);
        if (budget < 0 || budget > dataset.TransitionCount)
        {
            throw new ArgumentOutOfRangeException(nameof(budget), budget, $"The annotation budget must be between 0 and the dataset's {dataset.TransitionCount} transitions.");
        }

        var segments = new List<TransitionRun>();
        for (var e = 0; e < dataset.EpisodeCount; e++)
        {
            for (var s = dataset.EpisodeStarts[e]; s < dataset.EpisodeStarts[e + 1]; s += segmentLength)
            {
                segments.Add(new TransitionRun(s, Math.Min(s + segmentLength, dataset.EpisodeStarts[e + 1])));
            }
        }

        var random = new Random(seed);
        var order = segments.ToArray();
        random.Shuffle(order);
        var chosen = new List<TransitionRun>();
        var left = budget;
        foreach (var segment in order)
        {
            if (left == 0)
            {
                break;
            }

            var take = Math.Min(left, segment.Length);
            chosen.Add(segment with { End = segment.Start + take });
            left -= take;
        }

        chosen.Sort((a, b) => a.Start.CompareTo(b.Start));
        var isLabelled = new bool[dataset.TransitionCount];
        foreach (var run in chosen)
        {
            isLabelled.AsSpan(run.Start, run.Length).Fill(true);
        }

        var labelled = new int[budget];
        var unlabelled = new int[dataset.TransitionCount - budget];
        int l = 0, u = 0;
        for (var t = 0; t < isLabelled.Length; t++)
        {
            if (isLabelled[t])
            {
                labelled[l++] = t;
            }
            else
            {
                unlabelled[u++] = t;
            }
        }

        return new AnnotationSplit(chosen, labelled, unlabelled);
    }
}
