using System.ComponentModel;
using System.Globalization;
using Alpt.Environments.Core;
using Alpt.Environments.Datasets;
using Alpt.Environments.Policies;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Alpt.Grid.Console.Commands.Environments;

/// <summary>`alpt dataset info FILE`: validates the file and summarizes it.</summary>
public sealed class DatasetInfoCommand(IAnsiConsole console) : Command<DatasetInfoCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<file>")]
        [Description("Dataset file.")]
        public string File { get; init; } = string.Empty;

        [CommandOption("--json")]
        [Description("Print as JSON.")]
        public bool Json { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var header = DatasetFile.ReadHeader(settings.File);
        var dataset = DatasetFile.Read(settings.File);
        var returns = dataset.EpisodeReturns();
        var sorted = returns.Order().ToArray();
        var reference = ReferenceReturns.Get(dataset.Spec.Game, dataset.Spec.Variant);
        var histogram = new long[ActionVocabulary.Size];
        foreach (var action in dataset.Actions)
        {
            histogram[action]++;
        }

        var behaviours = dataset.Spec.Behaviours.Select((b, i) =>
        {
            var mine = Enumerable.Range(0, dataset.EpisodeCount).Where(e => dataset.EpisodeBehaviour[e] == i).ToArray();
            return new
            {
                name = b.Name,
                epsilon = b.Epsilon,
                episodes = mine.Length,
                transitions = mine.Sum(dataset.EpisodeLength),
                meanReturn = mine.Length == 0 ? 0 : mine.Average(e => (double)returns[e]),
            };
        }).ToArray();
        var summary = new
        {
            file = Path.GetFullPath(settings.File),
            bytes = new FileInfo(settings.File).Length,
            sha256 = header.Sha256,
            spec = dataset.Spec,
            shape = dataset.Shape.ToString(),
            transitions = dataset.TransitionCount,
            episodes = dataset.EpisodeCount,
            terminatedEpisodes = dataset.EpisodeTerminated.Count(t => t),
            frameBytes = dataset.Frames.LongLength,
            returns = new
            {
                min = sorted[0],
                p25 = Quantile(sorted, 0.25),
                median = Quantile(sorted, 0.5),
                p75 = Quantile(sorted, 0.75),
                max = sorted[^1],
                mean = returns.Average(r => (double)r),
                meanNormalized = reference.Normalize(returns.Average(r => (double)r)),
                randomReference = reference.RandomReturn,
                expertReference = reference.ExpertReturn,
            },
            behaviours,
            actions = ActionVocabulary.Names.Select((n, i) => new { action = n, count = histogram[i], fraction = (double)histogram[i] / dataset.TransitionCount }).ToArray(),
        };

        if (settings.Json)
        {
            console.WriteJson(summary);
            return 0;
        }

        var s = dataset.Spec;
        console.MarkupLineInterpolated($"[bold]{summary.file}[/] ({summary.bytes / 1048576.0:F1} MiB, sha256 {summary.sha256}, hash verified)");
        console.MarkupLineInterpolated($"{s.Game}/{s.Variant}, seed {s.Seed}, scale {s.Scale}, sticky {s.StickyActions}; frames {summary.shape}");
        console.MarkupLineInterpolated($"{summary.transitions:N0} transitions, {summary.episodes:N0} episodes ({summary.terminatedEpisodes:N0} ended in a terminal state)");
        var r = summary.returns;
        console.MarkupLine(string.Create(CultureInfo.InvariantCulture, $"returns: min {r.min:F1}, p25 {r.p25:F1}, median {r.median:F1}, p75 {r.p75:F1}, max {r.max:F1}, mean {r.mean:F2} (normalized {r.meanNormalized:F2}; random {r.randomReference:F2}, expert {r.expertReference:F2})"));
        var table = new Table().AddColumns("behaviour", "epsilon", "episodes", "transitions", "mean return");
        foreach (var b in behaviours)
        {
            table.AddRow(Markup.Escape(b.name), b.epsilon.ToString(CultureInfo.InvariantCulture), b.episodes.ToString(CultureInfo.InvariantCulture), b.transitions.ToString(CultureInfo.InvariantCulture), b.meanReturn.ToString("F2", CultureInfo.InvariantCulture));
        }

        console.Write(table);
        var chart = new BarChart().Label("actions").Width(60);
        foreach (var a in summary.actions.Where(a => a.count > 0))
        {
            chart.AddItem(a.action, a.count, Color.Aqua);
        }

        console.Write(chart);
        return 0;
    }

    private static double Quantile(float[] sorted, double q)
    {
        var position = q * (sorted.Length - 1);
        var low = (int)Math.Floor(position);
        var high = Math.Min(sorted.Length - 1, low + 1);
        return sorted[low] + ((position - low) * (sorted[high] - sorted[low]));
    }
}
