using Alpt.Environments.Core;
using Alpt.Environments.Policies;

namespace Alpt.Environments.Datasets;

/// <summary>
/// Generates a dataset by playing whole episodes with the spec's behaviour mix. Deterministic: episode i
/// uses seeds derived from (spec seed, i) only, so equal specs give byte-identical datasets everywhere.
/// Each episode picks its behaviour by weight, ends at a terminal state or the game's step cap, and the
/// last episode is cut where the transition budget runs out. Actions recorded are the ones the behaviour
/// chose (with sticky actions the game may have repeated the previous one instead, as in DQN-Replay).
/// </summary>
public static class DatasetGenerator
{
    /// <summary>Validates a spec and returns it with game and variant spelled canonically.</summary>
    public static DatasetSpec Normalize(DatasetSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var descriptor = GameCatalogue.Get(spec.Game);
        var variant = GameCatalogue.ResolveVariant(descriptor, spec.Variant);
        if (spec.Transitions <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(spec), spec.Transitions, "A dataset needs at least one transition.");
        }

        if (spec.Behaviours is null || spec.Behaviours.Count is 0 or > 255)
        {
            throw new ArgumentException("A dataset needs between 1 and 255 behaviour policies.", nameof(spec));
        }

        foreach (var b in spec.Behaviours)
        {
            if (!(b.Epsilon is >= 0 and <= 1) || !(b.Weight > 0) || double.IsInfinity(b.Weight))
            {
                throw new ArgumentException($"Behaviour '{b.Name}' needs epsilon in [0, 1] and a positive weight (got {b.Epsilon}, {b.Weight}).", nameof(spec));
            }
        }

        if (spec.Scale < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(spec), spec.Scale, "The upscale factor must be at least 1.");
        }

        if (!(spec.StickyActions is >= 0 and < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(spec), spec.StickyActions, "Sticky-action probability must be in [0, 1).");
        }

        var frameBytes = 3L * GridGame.Size * GridGame.Size * spec.Scale * spec.Scale;
        if (2L * spec.Transitions * frameBytes > Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(spec), spec.Transitions, $"{spec.Transitions} transitions at scale {spec.Scale} may exceed one array's {Array.MaxLength} frame bytes; use fewer transitions or a smaller scale.");
        }

        return spec with { Game = descriptor.Name, Variant = variant };
    }

    public static TrajectoryDataset Generate(DatasetSpec spec, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        spec = Normalize(spec);
        var game = GameCatalogue.Create(spec.Game, spec.Variant, new GameOptions(spec.StickyActions));
        var shape = game.ShapeAt(spec.Scale);
        var frameLength = shape.Length;
        var n = spec.Transitions;
        var policies = spec.Behaviours.Select(b => new BehaviourPolicy(b.Epsilon, b.Sight)).ToArray();
        var cumulative = new double[policies.Length];
        var totalWeight = 0.0;
        for (var i = 0; i < policies.Length; i++)
        {
            totalWeight += spec.Behaviours[i].Weight;
            cumulative[i] = totalWeight;
        }

        var actions = new byte[n];
        var rewards = new float[n];
        var starts = new List<int> { 0 };
        var behaviourOf = new List<byte>();
        var terminatedOf = new List<bool>();
        var frames = new byte[(long)(n + (n / 64) + 16) * frameLength];
        var mixRng = new GameRng(GameRng.Derive(spec.Seed, 0x313));
        var frameIndex = 0;
        var t = 0;
        var cap = game.MaxEpisodeSteps;
        const int progressEvery = 1 << 16;
        while (t < n)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var episode = behaviourOf.Count;
            var pick = mixRng.NextDouble() * totalWeight;
            var behaviour = 0;
            while (behaviour < policies.Length - 1 && pick >= cumulative[behaviour])
            {
                behaviour++;
            }

            var policy = policies[behaviour];
            var episodeSeed = GameRng.Derive(spec.Seed, (ulong)episode);
            game.Reset(episodeSeed);
            policy.BeginEpisode(GameRng.Derive(episodeSeed, 0xB0A7));
            EnsureCapacity(ref frames, frameIndex + 2, frameLength, (long)(2 * n) * frameLength);
            game.Render(frames.AsSpan(frameIndex++ * frameLength, frameLength), spec.Scale);
            var terminated = false;
            for (var step = 0; step < cap && t < n; step++)
            {
                var action = policy.Act(game);
                var result = game.Step(action);
                actions[t] = (byte)action;
                rewards[t] = result.Reward;
                t++;
                EnsureCapacity(ref frames, frameIndex + 1, frameLength, (long)(2 * n) * frameLength);
                game.Render(frames.AsSpan(frameIndex++ * frameLength, frameLength), spec.Scale);
                if ((t & (progressEvery - 1)) == 0)
                {
                    progress?.Report(t);
                    cancellationToken.ThrowIfCancellationRequested();
                }

                if (result.Terminal)
                {
                    terminated = true;
                    break;
                }
            }

            starts.Add(t);
            behaviourOf.Add((byte)behaviour);
            terminatedOf.Add(terminated);
        }

        progress?.Report(t);
        var exact = (long)frameIndex * frameLength;
        if (frames.LongLength != exact)
        {
            Array.Resize(ref frames, (int)exact);
        }

        return new TrajectoryDataset(spec, shape, frames, actions, rewards, [.. starts], [.. behaviourOf], [.. terminatedOf]);
    }

    private static void EnsureCapacity(ref byte[] frames, int framesNeeded, int frameLength, long limit)
    {
        var needed = (long)framesNeeded * frameLength;
        if (needed <= frames.LongLength)
        {
            return;
        }

        var grown = Math.Min(Math.Max(needed, frames.LongLength + (frames.LongLength / 2)), Math.Max(limit, needed));
        Array.Resize(ref frames, (int)grown);
    }
}
