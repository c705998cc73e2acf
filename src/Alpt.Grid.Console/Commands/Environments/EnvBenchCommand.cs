using System.ComponentModel;
using System.Globalization;
using Alpt.Environments.Benchmarks;
using Alpt.Environments.Core;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Alpt.Grid.Console.Commands.Environments;

/// <summary>`alpt env bench`: single-core steps per second per game, and dataset generation time.</summary>
public sealed class EnvBenchCommand(IAnsiConsole console) : Command<EnvBenchCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--json")]
        [Description("Print as JSON.")]
        public bool Json { get; init; }

        [CommandOption("--steps")]
        [Description("Steps to time per game (random actions, observation rendered into a reused buffer every step).")]
        [DefaultValue(5_000_000L)]
        public long Steps { get; init; } = 5_000_000;

        [CommandOption("--variant")]
        [Description("Variant to time in every game, or 'all' (default) for every variant.")]
        [DefaultValue("all")]
        public string Variant { get; init; } = "all";

        [CommandOption("--dataset-transitions")]
        [Description("Transitions of the timed dataset generation (breakout, default mix); 0 skips it.")]
        [DefaultValue(1_000_000)]
        public int DatasetTransitions { get; init; } = 1_000_000;

        [CommandOption("--dataset-game")]
        [Description("Game of the timed dataset generation.")]
        [DefaultValue("breakout")]
        public string DatasetGame { get; init; } = "breakout";

        public override ValidationResult Validate()
        {
            if (Steps < 1)
            {
                return ValidationResult.Error("--steps must be at least 1.");
            }

            return DatasetTransitions < 0 ? ValidationResult.Error("--dataset-transitions must not be negative.") : ValidationResult.Success();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var results = new List<GameThroughput>();
        foreach (var game in GameCatalogue.Games)
        {
            var variants = string.Equals(settings.Variant, "all", StringComparison.OrdinalIgnoreCase)
                ? game.Variants
                : [GameCatalogue.ResolveVariant(game, settings.Variant)];
            foreach (var variant in variants)
            {
                var result = EnvironmentBenchmark.MeasureGame(game.Name, variant, settings.Steps, 1, cancellationToken);
                results.Add(result);
                if (!settings.Json)
                {
                    console.MarkupLineInterpolated($"{result.Game,-15} {result.Variant,-9} {result.StepsPerCpuSecond / 1e6,6:F2} M steps/s per core  {result.StepsPerSecond / 1e6,6:F2} M/s wall  ({result.Steps:N0} steps, {result.Episodes:N0} episodes)");
                }
            }
        }

        GenerationThroughput? generation = null;
        if (settings.DatasetTransitions > 0)
        {
            generation = EnvironmentBenchmark.MeasureGeneration(settings.DatasetGame, null, settings.DatasetTransitions, 1, cancellationToken);
            if (!settings.Json)
            {
                console.MarkupLineInterpolated($"dataset generation: {generation.Transitions:N0} transitions of {generation.Game}/{generation.Variant} (default mix, {generation.Episodes:N0} episodes) in {generation.Seconds:F2} s wall, {generation.CpuSeconds:F2} s CPU");
            }
        }

        if (settings.Json)
        {
            console.WriteJson(new
            {
                threads = 1,
                processorCount = Environment.ProcessorCount,
                games = results.Select(r => new { game = r.Game, variant = r.Variant, steps = r.Steps, episodes = r.Episodes, seconds = r.Seconds, cpuSeconds = r.CpuSeconds, stepsPerSecond = r.StepsPerSecond, stepsPerCpuSecond = r.StepsPerCpuSecond }),
                generation = generation is null ? null : new
                {
                    game = generation.Game,
                    variant = generation.Variant,
                    transitions = generation.Transitions,
                    episodes = generation.Episodes,
                    seconds = generation.Seconds,
                    cpuSeconds = generation.CpuSeconds,
                    transitionsPerSecond = generation.TransitionsPerSecond,
                },
            });
        }
        else
        {
            var slowest = results.Min(r => r.StepsPerCpuSecond);
            console.MarkupLine(string.Create(CultureInfo.InvariantCulture, $"[grey]slowest game: {slowest / 1e6:F2} M steps per CPU-second of one core (wall figures drop when other work shares the cores)[/]"));
        }

        return 0;
    }
}
