using Alpt.Environments.Core;
using Alpt.Environments.Datasets;
using static TorchSharp.torch;

namespace Alpt.Learning.Data;

/// <summary>
/// The transitions of one environment an IDM learns from (or labels): which dataset, its frames'
/// place in the <see cref="FrameStore"/>, which transitions, which action head answers for them, and
/// the game's minimal action set (null: every action of the vocabulary), outside which the IDM never
/// predicts (a Fire in Breakout is not a label).
/// </summary>
public sealed record IdmExampleSet(string Name, TrajectoryDataset Dataset, int StoreIndex, int[] Transitions, int Vocabulary, IReadOnlyList<GameAction>? MinimalActions = null)
{
    /// <summary>Which actions of the shared vocabulary this environment can take: the logit mask.</summary>
    public bool[] AllowedActions()
    {
        var allowed = new bool[ActionVocabulary.Size];
        if (MinimalActions is null)
        {
            Array.Fill(allowed, true);
            return allowed;
        }

        foreach (var action in MinimalActions)
        {
            allowed[(int)action] = true;
        }

        return allowed;
    }
}

/// <summary>Builds IDM inputs: the window of frames t−k … t+1+k of a transition, clamped to its episode.</summary>
public static class IdmWindows
{
    /// <summary>Writes the store-wide frame indices of transition <paramref name="t"/>'s window into <paramref name="destination"/>.</summary>
    public static void Fill(TrajectoryDataset dataset, long storeOffset, int t, int eachSide, Span<long> destination)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        var episode = dataset.EpisodeOf(t);
        var first = dataset.EpisodeStarts[episode] + episode;
        var last = dataset.EpisodeStarts[episode + 1] + episode;
        var before = t + episode;
        for (var j = 0; j < destination.Length; j++)
        {
            destination[j] = storeOffset + Math.Clamp(before - eachSide + j, first, last);
        }
    }

    /// <summary>Frames [B, 2k+2, C, H, W] for the given transitions of one set.</summary>
    public static Tensor Frames(FrameStore store, IdmExampleSet set, ReadOnlySpan<int> transitions, int eachSide)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(set);
        var window = (2 * eachSide) + 2;
        var indices = new long[transitions.Length * window];
        for (var i = 0; i < transitions.Length; i++)
        {
            Fill(set.Dataset, store.Offset(set.StoreIndex), transitions[i], eachSide, indices.AsSpan(i * window, window));
        }

        return store.Gather(indices, transitions.Length, window);
    }
}

/// <summary>
/// Samples IDM training batches across environments: balanced (each environment equally likely,
/// whatever its size, so a small labelled target slice is not drowned by large sources) or in
/// proportion to size. Seeded; the only randomness in batch order.
/// </summary>
public sealed class IdmBatchSampler
{
    private readonly FrameStore _store;
    private readonly IReadOnlyList<IdmExampleSet> _sets;
    private readonly double[] _cumulative;
    private readonly Random _random;
    private readonly int _eachSide;
    private readonly bool[][] _allowed;

    public IdmBatchSampler(FrameStore store, IReadOnlyList<IdmExampleSet> sets, bool balance, int eachSide, int seed)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(sets);
        if (sets.Count == 0 || sets.Any(s => s.Transitions.Length == 0))
        {
            throw new ArgumentException("IDM training needs at least one environment, each with at least one labelled transition.", nameof(sets));
        }

        _store = store;
        _sets = sets;
        _eachSide = eachSide;
        _random = new Random(seed);
        _allowed = [.. sets.Select(s => s.AllowedActions())];
        _cumulative = new double[sets.Count];
        double total = 0;
        for (var i = 0; i < sets.Count; i++)
        {
            total += balance ? 1 : sets[i].Transitions.Length;
            _cumulative[i] = total;
        }

        for (var i = 0; i < sets.Count; i++)
        {
            _cumulative[i] /= total;
        }
    }

    /// <summary>(frames [B, W, C, H, W], vocabulary [B], true action [B]) for one batch.</summary>
    public (Tensor Frames, Tensor Vocabulary, Tensor Actions) Next(int batch)
    {
        var (frames, vocabulary, actions, allowed) = NextMasked(batch);
        allowed.Dispose();
        return (frames, vocabulary, actions);
    }

    /// <summary>(frames [B, W, C, H, W], vocabulary [B], true action [B], allowed actions [B, 6] bool: each sample's game's minimal set) for one batch.</summary>
    public (Tensor Frames, Tensor Vocabulary, Tensor Actions, Tensor Allowed) NextMasked(int batch)
    {
        var window = (2 * _eachSide) + 2;
        var indices = new long[batch * window];
        var vocabulary = new long[batch];
        var actions = new long[batch];
        var allowed = new bool[batch * ActionVocabulary.Size];
        for (var i = 0; i < batch; i++)
        {
            var u = _random.NextDouble();
            var s = 0;
            while (s < _sets.Count - 1 && u >= _cumulative[s])
            {
                s++;
            }

            var set = _sets[s];
            var t = set.Transitions[_random.Next(set.Transitions.Length)];
            IdmWindows.Fill(set.Dataset, _store.Offset(set.StoreIndex), t, _eachSide, indices.AsSpan(i * window, window));
            vocabulary[i] = set.Vocabulary;
            actions[i] = set.Dataset.Actions[t];
            _allowed[s].CopyTo(allowed, i * ActionVocabulary.Size);
        }

        return (_store.Gather(indices, batch, window), tensor(vocabulary).to(_store.Device), tensor(actions).to(_store.Device),
            tensor(allowed, [batch, ActionVocabulary.Size]).to(_store.Device));
    }
}
