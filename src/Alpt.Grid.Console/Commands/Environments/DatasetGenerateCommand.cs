using System.ComponentModel;
using System.Diagnostics;
using Alpt.Environments.Datasets;
using Alpt.Environments.Policies;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Alpt.Grid.Console.Commands.Environments;

/// <summary>`alpt dataset generate`: a deterministic dataset from (game, variant, transitions, default mix, seed).</summary>
public sealed class DatasetGenerateCommand(IAnsiConsole console) : Command<DatasetGenerateCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--env <GAME>")]
        [Description("Game (see `alpt env list`).")]
        public string? Env { get; init; }

        [CommandOption("--variant")]
        [Description("Difficulty variant (default: the game's first).")]
        public string? Variant { get; init; }

        [CommandOption("--transitions <N>")]
        [Description("Number of transitions.")]
        public int? Transitions { get; init; }

        [CommandOption("--seed <S>")]
        [Description("Seed; equal arguments give byte-identical datasets.")]
        [DefaultValue(0UL)]
        public ulong Seed { get; init; }

        [CommandOption("--out <FILE>")]
        [Description("Output file (written atomically).")]
        public string? Out { get; init; }

        [CommandOption("--scale")]
        [Description("Integer upscale factor of the frames.")]
        [DefaultValue(1)]
        public int Scale { get; init; } = 1;

        [CommandOption("--sticky")]
        [Description("Sticky-action probability.")]
        [DefaultValue(0.0)]
        public double Sticky { get; init; }

        [CommandOption("--json")]
        [Description("Print the written header as JSON.")]
        public bool Json { get; init; }

        public override ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(Env))
            {
                return ValidationResult.Error("--env <game> is required.");
            }

            if (Transitions is null or < 1)
            {
                return ValidationResult.Error("--transitions <N> is required and must be at least 1.");
            }

            return string.IsNullOrWhiteSpace(Out) ? ValidationResult.Error("--out <file> is required.") : ValidationResult.Success();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var spec = new DatasetSpec(settings.Env!, settings.Variant ?? string.Empty, settings.Transitions!.Value, BehaviourMix.Default, settings.Seed, settings.Scale, settings.Sticky);
        var clock = Stopwatch.StartNew();
        var dataset = DatasetGenerator.Generate(spec, null, cancellationToken);
        var generated = clock.Elapsed.TotalSeconds;
        var header = DatasetFile.Write(dataset, settings.Out!);
        var total = clock.Elapsed.TotalSeconds;
        var bytes = new FileInfo(settings.Out!).Length;
        if (settings.Json)
        {
            console.WriteJson(new { file = Path.GetFullPath(settings.Out!), bytes, generateSeconds = generated, totalSeconds = total, header });
            return 0;
        }

        console.MarkupLineInterpolated($"wrote [bold]{settings.Out}[/]: {header.Transitions:N0} transitions in {header.Episodes:N0} episodes of {header.Spec.Game}/{header.Spec.Variant}, frames {header.Shape}, {bytes / 1048576.0:F1} MiB");
        console.MarkupLineInterpolated($"sha256 {header.Sha256}; generated in {generated:F2} s, written in {total - generated:F2} s");
        return 0;
    }
}
