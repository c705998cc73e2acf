using System.Diagnostics;
using Alpt.Environments.Core;
using Alpt.Environments.Datasets;
using Alpt.Environments.Policies;

namespace Alpt.Environments.Benchmarks;

/// <summary>Steps per second of one game, its observation rendered into a reused buffer every step:
/// per wall-clock second and per second of the benchmark thread's CPU time (what one core does, whatever
/// else shares the machine).</summary>
public sealed record GameThroughput(string Game, string Variant, long Steps, long Episodes, double Seconds, double CpuSeconds)
{
    public double StepsPerSecond => Steps / Seconds;

    public double StepsPerCpuSecond => Steps / CpuSeconds;
}

/// <summary>Time to generate one dataset with the default behaviour mix (wall clock and thread CPU time).</summary>
public sealed record GenerationThroughput(string Game, string Variant, int Transitions, int Episodes, double Seconds, double CpuSeconds)
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
        var cpu = ThreadCpuClock.Seconds();
        var clock = Stopwatch.StartNew();
        var episodes = Run(instance, actions, frame, scale, steps, cancellationToken);
        var wall = clock.Elapsed.TotalSeconds;
        return new GameThroughput(instance.Name, instance.Variant, steps, episodes, wall, Math.Max(1e-9, ThreadCpuClock.Seconds() - cpu));
    }

    public static GenerationThroughput MeasureGeneration(string game, string? variant, int transitions, ulong seed = 1, CancellationToken cancellationToken = default)
    {
        var descriptor = GameCatalogue.Get(game);
        var spec = new DatasetSpec(descriptor.Name, GameCatalogue.ResolveVariant(descriptor, variant), transitions, BehaviourMix.Default, seed);
        var cpu = ThreadCpuClock.Seconds();
        var clock = Stopwatch.StartNew();
        var dataset = DatasetGenerator.Generate(spec, null, cancellationToken);
        var wall = clock.Elapsed.TotalSeconds;
        return new GenerationThroughput(spec.Game, spec.Variant, transitions, dataset.EpisodeCount, wall, ThreadCpuClock.Seconds() - cpu);
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
