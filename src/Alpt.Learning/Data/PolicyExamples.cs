using Alpt.Environments.Datasets;
using static TorchSharp.torch;

namespace Alpt.Learning.Data;

/// <summary>A contiguous stretch of transitions [Start, End) inside one episode.</summary>
public readonly record struct TransitionRun(int Start, int End)
{
    public int Length => End - Start;
}

/// <summary>
/// What a policy learns from in the target game: runs of transitions (whole episodes, or only the
/// labelled segments for labelled-only) with the action label of every transition (true or IDM-made).
/// Returns-to-go come from the rewards, which are known for every transition.
/// </summary>
public sealed class PolicyExampleSet
{
    public PolicyExampleSet(TrajectoryDataset dataset, int storeIndex, IReadOnlyList<TransitionRun> runs, byte[] labels)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentNullException.ThrowIfNull(labels);
        if (runs.Count == 0 || runs.Any(r => r.Length <= 0))
        {
            throw new ArgumentException("A policy needs at least one non-empty run of transitions.", nameof(runs));
        }

        if (labels.Length != dataset.TransitionCount)
        {
            throw new ArgumentException($"Expected one label per transition ({dataset.TransitionCount}), got {labels.Length}.", nameof(labels));
        }

        Dataset = dataset;
        StoreIndex = storeIndex;
        Runs = runs;
        Labels = labels;
        ReturnsToGo = new float[dataset.TransitionCount];
        for (var e = 0; e < dataset.EpisodeCount; e++)
        {
            float sum = 0;
            for (var t = dataset.EpisodeStarts[e + 1] - 1; t >= dataset.EpisodeStarts[e]; t--)
            {
                sum += dataset.Rewards[t];
                ReturnsToGo[t] = sum;
            }
        }

        var best = dataset.EpisodeCount > 0 ? dataset.EpisodeReturns().Max() : 0;
        BestReturn = best;
        // Returns-to-go are fed to the network divided by this, so they sit near 0..1.
        ReturnScale = Math.Max(1f, best);
        RunEnds = new int[runs.Count];
        var total = 0;
        for (var i = 0; i < runs.Count; i++)
        {
            total += runs[i].Length;
            RunEnds[i] = total;
        }
    }

    public TrajectoryDataset Dataset { get; }

    public int StoreIndex { get; }

    public IReadOnlyList<TransitionRun> Runs { get; }

    public byte[] Labels { get; }

    public float[] ReturnsToGo { get; }

    public float BestReturn { get; }

    public float ReturnScale { get; }

    /// <summary>Cumulative run lengths, for sampling a transition uniformly over all runs.</summary>
    public int[] RunEnds { get; }

    public int TransitionTotal => RunEnds[^1];

    /// <summary>The run and transition of the <paramref name="k"/>-th transition over all runs.</summary>
    public (TransitionRun Run, int Transition) Locate(int k)
    {
        var i = Array.BinarySearch(RunEnds, k + 1);
        i = i < 0 ? ~i : i;
        var run = Runs[i];
        var before = i == 0 ? 0 : RunEnds[i - 1];
        return (run, run.Start + (k - before));
    }
}

/// <summary>One Decision Transformer batch: [B, K] returns-to-go, [B, K, C, H, W] frames, [B, K] actions, [B, K] valid.</summary>
public sealed record DecisionBatch(Tensor ReturnsToGo, Tensor Frames, Tensor Actions, Tensor Valid);

/// <summary>
/// Samples training batches for the policies: a transition uniformly over all runs, then the K steps
/// ending there (Decision Transformer, left-padded where the run is shorter) or its frame stack
/// (behaviour cloning). Seeded.
/// </summary>
public sealed class PolicyBatchSampler(FrameStore store, PolicyExampleSet set, int seed)
{
    private readonly Random _random = new(seed);

    public DecisionBatch NextDecision(int batch, int context)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(set);
        var rtg = new float[batch * context];
        var frames = new long[batch * context];
        var actions = new long[batch * context];
        var valid = new bool[batch * context];
        var offset = store.Offset(set.StoreIndex);
        for (var i = 0; i < batch; i++)
        {
            var (run, end) = set.Locate(_random.Next(set.TransitionTotal));
            var start = Math.Max(run.Start, end - context + 1);
            var pad = context - (end - start + 1);
            var firstFrame = offset + set.Dataset.FrameBefore(start);
            for (var j = 0; j < context; j++)
            {
                var slot = (i * context) + j;
                if (j < pad)
                {
                    frames[slot] = firstFrame;
                    continue;
                }

                var t = start + j - pad;
                rtg[slot] = set.ReturnsToGo[t] / set.ReturnScale;
                frames[slot] = offset + set.Dataset.FrameBefore(t);
                actions[slot] = set.Labels[t];
                valid[slot] = true;
            }
        }

        return new DecisionBatch(
            tensor(rtg, [batch, context]).to(store.Device),
            store.Gather(frames, batch, context),
            tensor(actions, [batch, context]).to(store.Device),
            tensor(valid, [batch, context]).to(store.Device));
    }

    /// <summary>(frames [B, S, C, H, W] oldest first, clamped to the episode start; labels [B]).</summary>
    public (Tensor Frames, Tensor Actions) NextCloning(int batch, int frameStack)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(set);
        var frames = new long[batch * frameStack];
        var actions = new long[batch];
        var offset = store.Offset(set.StoreIndex);
        for (var i = 0; i < batch; i++)
        {
            var (_, t) = set.Locate(_random.Next(set.TransitionTotal));
            var episode = set.Dataset.EpisodeOf(t);
            var first = set.Dataset.EpisodeStarts[episode] + episode;
            var now = set.Dataset.FrameBefore(t);
            for (var j = 0; j < frameStack; j++)
            {
                frames[(i * frameStack) + j] = offset + Math.Max(first, now - (frameStack - 1) + j);
            }

            actions[i] = set.Labels[t];
        }

        return (store.Gather(frames, batch, frameStack), tensor(actions).to(store.Device));
    }
}
