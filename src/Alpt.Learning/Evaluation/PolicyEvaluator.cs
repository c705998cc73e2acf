using System.Diagnostics;
using Alpt.Environments.Core;
using Alpt.Learning.Models;
using Alpt.Learning.Trials;
using TorchSharp;
using static TorchSharp.torch;

namespace Alpt.Learning.Evaluation;

/// <summary>
/// Online evaluation: plays N episodes of the target game at once, one batched forward pass per
/// step for all running episodes, the Decision Transformer conditioned on a target return that
/// falls by each reward received. Actions are sampled from the policy with a seeded generator.
/// </summary>
public static class PolicyEvaluator
{
    /// <summary>Plays the episodes and returns each one's undiscounted return, in episode order.</summary>
    /// <param name="policy">A <see cref="DecisionTransformer"/> or a <see cref="BehaviourCloningPolicy"/>.</param>
    /// <param name="targetReturn">Return to condition on (Decision Transformer only), unscaled.</param>
    /// <param name="returnScale">Divisor the policy's returns-to-go were trained with.</param>
    public static double[] Play(
        nn.Module policy,
        Func<IGame> createGame,
        int episodes,
        int maxSteps,
        double targetReturn,
        float returnScale,
        double temperature,
        int seed,
        Device device,
        IProgress<TrialProgress>? progress,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(createGame);
        ArgumentOutOfRangeException.ThrowIfLessThan(episodes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSteps, 1);
        var (context, shape) = policy switch
        {
            DecisionTransformer dt => (dt.Context, dt.Shape),
            BehaviourCloningPolicy bc => (bc.FrameStack, bc.Shape),
            _ => throw new ArgumentException($"Cannot evaluate a {policy.GetType().Name}: expected a Decision Transformer or behaviour cloning policy.", nameof(policy)),
        };
        policy.eval();
        var random = new Random(seed);
        var games = new IGame[episodes];
        var histories = new List<byte[]>[episodes];
        var actions = new List<byte>[episodes];
        var returnsToGo = new List<float>[episodes];
        var returns = new double[episodes];
        var running = new bool[episodes];
        var frameLength = shape.Length;
        for (var e = 0; e < episodes; e++)
        {
            games[e] = createGame();
            // Evaluation seeds are derived from the trial seed, far from dataset episode seeds.
            games[e].Reset(unchecked((ulong)seed * 0x9E3779B97F4A7C15UL) ^ (0xE7A1_0000UL + (ulong)e));
            var frame = new byte[frameLength];
            games[e].Render(frame);
            histories[e] = [frame];
            actions[e] = [];
            returnsToGo[e] = [(float)targetReturn];
            running[e] = true;
        }

        var clock = Stopwatch.StartNew();
        long stepsPlayed = 0;
        using var noGrad = no_grad();
        for (var step = 0; step < maxSteps && running.Any(r => r); step++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var active = Enumerable.Range(0, episodes).Where(e => running[e]).ToArray();
            float[] probabilities;
            using (var scope = NewDisposeScope())
            {
                var logits = policy is DecisionTransformer transformer
                    ? DecisionLogits(transformer, active, histories, actions, returnsToGo, context, shape, returnScale, device)
                    : CloningLogits((BehaviourCloningPolicy)policy, active, histories, context, shape, device);
                var scaled = temperature > 0 ? logits / temperature : logits;
                probabilities = nn.functional.softmax(scaled.to(ScalarType.Float32), -1).cpu().data<float>().ToArray();
            }

            for (var i = 0; i < active.Length; i++)
            {
                var e = active[i];
                var action = temperature > 0
                    ? Sample(probabilities.AsSpan(i * ActionVocabulary.Size, ActionVocabulary.Size), random)
                    : ArgMax(probabilities.AsSpan(i * ActionVocabulary.Size, ActionVocabulary.Size));
                var result = games[e].Step((GameAction)action);
                returns[e] += result.Reward;
                actions[e].Add((byte)action);
                var frame = new byte[frameLength];
                games[e].Render(frame);
                histories[e].Add(frame);
                returnsToGo[e].Add(returnsToGo[e][^1] - result.Reward);
                stepsPlayed++;
                if (result.Terminal)
                {
                    running[e] = false;
                }
            }

            if (progress is not null && (step % 16 == 0 || !running.Any(r => r)))
            {
                progress.Report(new TrialProgress(TrialPhases.Evaluation, episodes - running.Count(r => r), episodes, double.NaN, stepsPlayed / Math.Max(1e-9, clock.Elapsed.TotalSeconds)));
            }
        }

        progress?.Report(new TrialProgress(TrialPhases.Evaluation, episodes, episodes, double.NaN, stepsPlayed / Math.Max(1e-9, clock.Elapsed.TotalSeconds)));
        return returns;
    }

    /// <summary>Logits of the current step of each active episode, from its last K steps (left-padded).</summary>
    private static Tensor DecisionLogits(
        DecisionTransformer model, int[] active, List<byte[]>[] histories, List<byte>[] actions, List<float>[] returnsToGo,
        int context, ObservationShape shape, float returnScale, Device device)
    {
        var b = active.Length;
        var frames = new byte[b * context * shape.Length];
        var rtg = new float[b * context];
        var acts = new long[b * context];
        var valid = new bool[b * context];
        for (var i = 0; i < b; i++)
        {
            var e = active[i];
            var now = histories[e].Count - 1;
            var first = Math.Max(0, now - context + 1);
            var pad = context - (now - first + 1);
            for (var j = pad; j < context; j++)
            {
                var t = first + j - pad;
                var slot = (i * context) + j;
                histories[e][t].CopyTo(frames, slot * shape.Length);
                rtg[slot] = returnsToGo[e][t] / returnScale;
                // The current step's action is not known yet; the causal mask hides it from its prediction anyway.
                acts[slot] = t < actions[e].Count ? actions[e][t] : 0;
                valid[slot] = true;
            }
        }

        var frameTensor = tensor(frames, [b, context, shape.Channels, shape.Height, shape.Width], ScalarType.Byte).to(device).to(ScalarType.Float32).div_(255f);
        var logits = model.forward(tensor(rtg, [b, context]).to(device), frameTensor, tensor(acts, [b, context]).to(device), tensor(valid, [b, context]).to(device));
        return logits[.., context - 1];
    }

    private static Tensor CloningLogits(BehaviourCloningPolicy model, int[] active, List<byte[]>[] histories, int stack, ObservationShape shape, Device device)
    {
        var b = active.Length;
        var frames = new byte[b * stack * shape.Length];
        for (var i = 0; i < b; i++)
        {
            var history = histories[active[i]];
            var now = history.Count - 1;
            for (var j = 0; j < stack; j++)
            {
                history[Math.Max(0, now - (stack - 1) + j)].CopyTo(frames, ((i * stack) + j) * shape.Length);
            }
        }

        var frameTensor = tensor(frames, [b, stack, shape.Channels, shape.Height, shape.Width], ScalarType.Byte).to(device).to(ScalarType.Float32).div_(255f);
        return model.forward(frameTensor);
    }

    private static int Sample(ReadOnlySpan<float> probabilities, Random random)
    {
        var u = random.NextDouble();
        double sum = 0;
        for (var a = 0; a < probabilities.Length; a++)
        {
            sum += probabilities[a];
            if (u < sum)
            {
                return a;
            }
        }

        return ArgMax(probabilities);
    }

    private static int ArgMax(ReadOnlySpan<float> values)
    {
        var best = 0;
        for (var a = 1; a < values.Length; a++)
        {
            if (values[a] > values[best])
            {
                best = a;
            }
        }

        return best;
    }
}
