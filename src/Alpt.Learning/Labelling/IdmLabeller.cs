using System.Diagnostics;
using Alpt.Environments.Core;
using Alpt.Learning.Data;
using Alpt.Learning.Models;
using Alpt.Learning.Trials;
using static TorchSharp.torch;

namespace Alpt.Learning.Labelling;

/// <summary>Labels transitions with the IDM's most likely action of the game's minimal set, in batches, without gradients.</summary>
public static class IdmLabeller
{
    /// <returns>One predicted action (shared vocabulary) per transition of <paramref name="set"/>, in its order.</returns>
    public static byte[] Label(
        InverseDynamicsModel model,
        FrameStore store,
        IdmExampleSet set,
        int eachSide,
        int batchSize,
        IProgress<TrialProgress>? progress,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(set);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        model.eval();
        var labels = new byte[set.Transitions.Length];
        var clock = Stopwatch.StartNew();
        using var noGrad = no_grad();
        // The IDM never labels an action outside the game's minimal set.
        using var allowed = tensor(set.AllowedActions()).to(store.Device);
        for (var from = 0; from < labels.Length; from += batchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            var count = Math.Min(batchSize, labels.Length - from);
            var frames = IdmWindows.Frames(store, set, set.Transitions.AsSpan(from, count), eachSide);
            var vocabulary = full(count, set.Vocabulary, ScalarType.Int64, store.Device);
            var predicted = model.forward(frames, vocabulary, allowed).argmax(1).to(ScalarType.Byte).cpu();
            predicted.data<byte>().CopyTo(labels.AsSpan(from, count));
            progress?.Report(new TrialProgress(TrialPhases.Labelling, from + count, labels.Length, double.NaN, (from + count) / Math.Max(1e-9, clock.Elapsed.TotalSeconds)));
        }

        return labels;
    }

    /// <summary>Accuracy of <paramref name="predicted"/> against <paramref name="truth"/>: overall, recall per true action, and the confusion matrix.</summary>
    public static LabelAccuracy Score(ReadOnlySpan<byte> predicted, ReadOnlySpan<byte> truth)
    {
        if (predicted.Length != truth.Length)
        {
            throw new ArgumentException($"Got {predicted.Length} predictions for {truth.Length} true labels.", nameof(predicted));
        }

        var n = ActionVocabulary.Size;
        var confusion = new long[n][];
        for (var i = 0; i < n; i++)
        {
            confusion[i] = new long[n];
        }

        long correct = 0;
        for (var i = 0; i < truth.Length; i++)
        {
            if (truth[i] >= n || predicted[i] >= n)
            {
                throw new ArgumentException($"Label {Math.Max(truth[i], predicted[i])} at position {i} is outside the shared vocabulary of {n} actions.");
            }

            confusion[truth[i]][predicted[i]]++;
            if (truth[i] == predicted[i])
            {
                correct++;
            }
        }

        var perAction = new Dictionary<string, double?>();
        for (var a = 0; a < n; a++)
        {
            var total = confusion[a].Sum();
            perAction[ActionVocabulary.Names[a]] = total == 0 ? null : (double)confusion[a][a] / total;
        }

        return new LabelAccuracy(truth.Length == 0 ? 0 : (double)correct / truth.Length, truth.Length, perAction, confusion);
    }
}
