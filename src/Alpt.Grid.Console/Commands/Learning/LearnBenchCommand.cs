using System.ComponentModel;
using Alpt.Environments.Core;
using Alpt.Grid.Silo.Trials;
using Alpt.Learning.Benchmarks;
using Alpt.Learning.Runtime;
using Alpt.Learning.Trials;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Alpt.Grid.Console.Commands.Learning;

/// <summary>`alpt learn bench`: training and labelling throughput and GFLOP/s, against a large matmul.</summary>
public sealed class LearnBenchCommand(IAnsiConsole console) : Command<LearnBenchCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--device <DEVICE>")]
        [Description("cpu (default), cuda or cuda:N.")]
        [DefaultValue("cpu")]
        public string Device { get; init; } = "cpu";

        [CommandOption("--threads <N>")]
        [Description("Intra-op threads for Torch (default: Torch's own choice).")]
        public int? Threads { get; init; }

        [CommandOption("--steps <N>")]
        [Description("Measured steps per workload (default 20).")]
        [DefaultValue(20)]
        public int Steps { get; init; } = 20;

        [CommandOption("--preset <NAME>")]
        [Description("Whose model and batch sizes to measure: paper (default), quick or smoke.")]
        [DefaultValue("paper")]
        public string Preset { get; init; } = "paper";

        [CommandOption("--set <NAME=VALUE>")]
        [Description("Override one hyperparameter of the preset, e.g. --set policy.batchSize=128 (repeatable).")]
        public string[] Overrides { get; init; } = [];

        [CommandOption("--skill <GAME>")]
        [Description("Also measure policy skill per CPU-second on this game: oracle trials of the quick preset's policy before and after it was re-sized, evaluated while they train (minutes).")]
        public string? Skill { get; init; }

        [CommandOption("--json")]
        [Description("Print as JSON.")]
        public bool Json { get; init; }

        public override ValidationResult Validate()
        {
            if (Steps < 1 || Threads is < 1)
            {
                return ValidationResult.Error("--steps and --threads must be at least 1.");
            }

            if (Skill is { } game && !GameCatalogue.Names.Contains(game.Split(':')[0].Trim().ToLowerInvariant()))
            {
                return ValidationResult.Error($"--skill '{game}' is not a game of the suite: expected one of {string.Join(", ", GameCatalogue.Names)}.");
            }

            if (!TrialHyperparameters.PresetNames.Contains(Preset.Trim().ToLowerInvariant()))
            {
                return ValidationResult.Error($"--preset '{Preset}' is not known: expected one of {string.Join(", ", TrialHyperparameters.PresetNames)}.");
            }

            return Overrides.FirstOrDefault(o => !o.Contains('=', StringComparison.Ordinal)) is { } bad
                ? ValidationResult.Error($"--set '{bad}' is not NAME=VALUE.")
                : ValidationResult.Success();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var device = TorchRuntime.ResolveDevice(settings.Device);
        Action<string>? log = settings.Json ? null : line => console.WriteLine(line);
        var (result, skill) = TrialRunCommand.OnDedicatedThread(() =>
        {
            if (settings.Threads is { } threads)
            {
                TorchRuntime.SetThreads(threads);
            }

            var hp = HyperparameterOverrides.Apply(TrialHyperparameters.FromPreset(settings.Preset), HyperparameterOverrides.ParsePairs(settings.Overrides));
            var figures = LearningBenchmark.Run(device, hp, settings.Steps, log, cancellationToken, settings.Preset);
            var curves = settings.Skill is { } game
                ? LearningBenchmark.Skill(game, [("quick before", LearningBenchmark.QuickBefore), ("quick now", TrialHyperparameters.Quick)], device, log: log, cancellationToken: cancellationToken)
                : [];
            return (figures, curves);
        });
        if (settings.Json)
        {
            console.WriteJson(new { result.Device, result.Threads, result.MatmulSize, result.PeakGflopsPerSecond, result.Figures, result.Preset, Skill = skill });
            return 0;
        }

        var table = new Table().AddColumns("workload", "batch", "samples/s", "per CPU-second", "GFLOP/s", "of peak");
        foreach (var f in result.Figures)
        {
            table.AddRow(f.Workload, $"{f.BatchSize}", $"{f.SamplesPerSecond:F0}", $"{f.SamplesPerCpuSecond:F0}", $"{f.GflopsPerSecond:F1}", $"{f.FractionOfPeak:P0}");
        }

        table.AddRow($"matmul {result.MatmulSize}²", "", "", "", $"{result.PeakGflopsPerSecond:F1}", "100%");
        console.Write(table);
        console.WriteLine($"device {result.Device}, {result.Threads} thread(s), {result.Preset} model sizes");
        if (skill.Count > 0)
        {
            var skills = new Table().AddColumns("policy", "target", "training steps", "CPU-s", "normalized return", "per CPU-second");
            foreach (var curve in skill)
            {
                foreach (var c in curve.Checkpoints)
                {
                    skills.AddRow(Markup.Escape(curve.Name), Markup.Escape(curve.Target), $"{c.Step}", $"{c.CpuSeconds:F1}", $"{c.NormalizedScore:F3}", c == curve.Checkpoints[^1] ? $"{curve.SkillPerCpuSecond:F4}" : "");
                }
            }

            console.Write(skills);
            if (skill.Count == 2 && skill[0].SkillPerCpuSecond > 0)
            {
                console.WriteLine($"skill per CPU-second, now / before: {skill[1].SkillPerCpuSecond / skill[0].SkillPerCpuSecond:F1}x (same run, same dataset and seed)");
            }
        }

        return 0;
    }
}
