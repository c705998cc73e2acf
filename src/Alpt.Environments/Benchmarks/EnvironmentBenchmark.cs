using System.Diagnostics;
using Alpt.Environments.Core;
using Alpt.Environments.Datasets;
using Alpt.Environments.Policies;

namespace Alpt.Environments.Benchmarks;

/// <summary>Steps per second of one game, its observation rendered into a reused buffer every step.</summary>
public sealed record GameThroughput(string Game, string Variant, long Steps, long Episodes, double Seconds)
{
    public double StepsPerSecond => Steps / Seconds;
}

/// <summary>Time to generate one dataset with the default behaviour mix.</summary>
public sealed record GenerationThroughput(string Game, string Variant, int Transitions, int Episodes, double Seconds)
{
    public double TransitionsPerSecond => Transitions / Seconds;
}

/// <summary>Single-threaded throughput measurements (a benchmark, not a test).</summary>
public static class EnvironmentBenchmark
{
    /// <summary>Plays <paramref name="steps"/> uniformly random minimal actions (drawn up front, so the
    /// policy costs nothing), rendering each observation, resetting on terminal states.</summary>
    public static GameThroughput MeasureGame(string game, string? variant, long steps, int scale = 1, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        var instance = GameCatalogue.Create(game, variant);
        var frame = new byte[instance.ShapeAt(scale).Length];
        var actions = new GameAction[4096];
        var rng = new GameRng(42);
        for (var i = 0; i < actions.Length; i++)
        {
            actions[i] = instance.MinimalActions[rng.NextInt(instance.MinimalActions.Count)];
        }

        // Warm up so the measured loop runs optimized code.
        Run(instance, actions, frame, scale, Math.Min(steps, 200_000), cancellationToken);
        var clock = Stopwatch.StartNew();
        var episodes = Run(instance, actions, frame, scale, steps, cancellationToken);
        return new GameThroughput(instance.Name, instance.Variant, steps, episodes, clock.Elapsed.TotalSeconds);
    }

    public static GenerationThroughput MeasureGeneration(string game, string? variant, int transitions, ulong seed = 1, CancellationToken cancellationToken = default)
    {
        var descriptor = GameCatalogue.Get(game);
        var spec = new DatasetSpec(descriptor.Name, GameCatalogue.ResolveVariant(descriptor, variant), transitions, BehaviourMix.Default, seed);
        var clock = Stopwatch.StartNew();
        var dataset = DatasetGenerator.Generate(spec, null, cancellationToken);
        return new GenerationThroughput(spec.Game, spec.Variant, transitions, dataset.EpisodeCount, clock.Elapsed.TotalSeconds);
    }

    private static long Run(IGame game, GameAction[] actions, byte[] frame, int scale, long steps, CancellationToken cancellationToken)
    {
        ulong seed = 1;
        long episodes = 1;
        var episodeSteps = 0;
        var cap = game.MaxEpisodeSteps;
        game.Reset(seed);
        for (long i = 0; i < steps; i++)
        {
            var result = game.Step(actions[i & 4095]);
            game.Render(frame, scale);
            if (result.Terminal || ++episodeSteps >= cap)
            {
                game.Reset(++seed);
                episodes++;
                episodeSteps = 0;
                if ((episodes & 1023) == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }
            }
        }

        return episodes;
    }
}
