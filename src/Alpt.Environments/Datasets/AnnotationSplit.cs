using Alpt.Environments.Core;

namespace Alpt.Environments.Datasets;

/// <summary>One labelled stretch of consecutive transitions inside an episode.</summary>
public readonly record struct LabelledSegment(int Start, int Length);

/// <summary>
/// Which transitions of a target dataset carry action labels under an annotation budget. Whole
/// contiguous segments are labelled, as an annotator labels stretches of gameplay: every episode is cut
/// into segments of <see cref="SegmentLength"/> transitions (the last one of an episode may be shorter),
/// segments are drawn in a seeded random order until the budget is reached, and the last one drawn is
/// shortened so that exactly <see cref="Budget"/> transitions are labelled. The true actions of the
/// unlabelled transitions are kept aside for scoring inferred labels.
/// </summary>
public sealed class AnnotationSplit
{
    /// <summary>Marks an unknown action in <see cref="VisibleActions"/>.</summary>
    public const byte Unlabelled = byte.MaxValue;

    private AnnotationSplit(int budget, int segmentLength, ulong seed, bool[] isLabelled, LabelledSegment[] segments, int[] labelled, int[] unlabelled, byte[] hiddenActions, byte[] visibleActions)
    {
        Budget = budget;
        SegmentLength = segmentLength;
        Seed = seed;
        IsLabelled = isLabelled;
        Segments = segments;
        LabelledTransitions = labelled;
        UnlabelledTransitions = unlabelled;
        HiddenActions = hiddenActions;
        VisibleActions = visibleActions;
    }

    public int Budget { get; }

    public int SegmentLength { get; }

    public ulong Seed { get; }

    /// <summary>Per transition: whether its action label is available.</summary>
    public IReadOnlyList<bool> IsLabelled { get; }

    /// <summary>The labelled segments, ordered by start.</summary>
    public IReadOnlyList<LabelledSegment> Segments { get; }

    /// <summary>Labelled transition indices, ascending.</summary>
    public IReadOnlyList<int> LabelledTransitions { get; }

    /// <summary>Unlabelled transition indices, ascending.</summary>
    public IReadOnlyList<int> UnlabelledTransitions { get; }

    /// <summary>True actions of <see cref="UnlabelledTransitions"/> (same order), kept aside for scoring.</summary>
    public IReadOnlyList<byte> HiddenActions { get; }

    /// <summary>Per transition: the action where labelled, <see cref="Unlabelled"/> elsewhere. What a learner may see.</summary>
    public IReadOnlyList<byte> VisibleActions { get; }

    public static AnnotationSplit Create(TrajectoryDataset dataset, int budget, int segmentLength, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        var total = dataset.TransitionCount;
        if (budget <= 0 || budget > total)
        {
            throw new ArgumentOutOfRangeException(nameof(budget), budget, $"The annotation budget must be between 1 and the dataset's {total} transitions.");
        }

        if (segmentLength <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(segmentLength), segmentLength, "The segment length must be at least 1 transition.");
        }

        var candidates = new List<LabelledSegment>();
        for (var e = 0; e < dataset.EpisodeCount; e++)
        {
            var end = dataset.EpisodeStarts[e + 1];
            for (var s = dataset.EpisodeStarts[e]; s < end; s += segmentLength)
            {
                candidates.Add(new LabelledSegment(s, Math.Min(segmentLength, end - s)));
            }
        }

        var rng = new GameRng(GameRng.Derive(seed, 0xA770));
        for (var i = candidates.Count - 1; i > 0; i--)
        {
            var j = rng.NextInt(i + 1);
            (candidates[i], candidates[j]) = (candidates[j], candidates[i]);
        }

        var chosen = new List<LabelledSegment>();
        var remaining = budget;
        foreach (var segment in candidates)
        {
            if (remaining == 0)
            {
                break;
            }

            var length = Math.Min(segment.Length, remaining);
            chosen.Add(segment with { Length = length });
            remaining -= length;
        }

        chosen.Sort((a, b) => a.Start.CompareTo(b.Start));
        var isLabelled = new bool[total];
        foreach (var segment in chosen)
        {
            isLabelled.AsSpan(segment.Start, segment.Length).Fill(true);
        }

        var labelled = new int[budget];
        var unlabelled = new int[total - budget];
        var hidden = new byte[total - budget];
        var visible = new byte[total];
        int l = 0, u = 0;
        for (var t = 0; t < total; t++)
        {
            if (isLabelled[t])
            {
                labelled[l++] = t;
                visible[t] = dataset.Actions[t];
            }
            else
            {
                hidden[u] = dataset.Actions[t];
                unlabelled[u++] = t;
                visible[t] = Unlabelled;
            }
        }

        return new AnnotationSplit(budget, segmentLength, seed, isLabelled, [.. chosen], labelled, unlabelled, hidden, visible);
    }

    /// <summary>Fraction of unlabelled transitions whose predicted action (aligned with
    /// <see cref="UnlabelledTransitions"/>) equals the hidden true one; 1 when nothing is unlabelled.</summary>
    public double Accuracy(ReadOnlySpan<byte> predicted)
    {
        if (predicted.Length != HiddenActions.Count)
        {
            throw new ArgumentException($"Expected {HiddenActions.Count} predictions (one per unlabelled transition), got {predicted.Length}.", nameof(predicted));
        }

        if (predicted.Length == 0)
        {
            return 1;
        }

        var correct = 0;
        for (var i = 0; i < predicted.Length; i++)
        {
            if (predicted[i] == HiddenActions[i])
            {
                correct++;
            }
        }

        return (double)correct / predicted.Length;
    }
}
