using Alpt.Learning.Trials;
using Spectre.Console;

namespace Alpt.Grid.Console.Commands.Learning;

/// <summary>A Spectre progress bar per trial phase, fed by the trial's progress reports.</summary>
internal sealed class TrialProgressDisplay(ProgressContext context, string prefix) : IProgress<TrialProgress>
{
    private readonly Dictionary<string, ProgressTask> _tasks = [];

    public void Report(TrialProgress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!_tasks.TryGetValue(value.Phase, out var task))
        {
            foreach (var previous in _tasks.Values)
            {
                previous.Value = previous.MaxValue;
            }

            task = context.AddTask(Markup.Escape($"{prefix}{value.Phase}"), maxValue: Math.Max(1, value.TotalSteps));
            _tasks[value.Phase] = task;
        }

        task.MaxValue = Math.Max(1, value.TotalSteps);
        task.Value = value.Step;
        var detail = double.IsNaN(value.Loss) ? string.Empty : $" loss {value.Loss:F3}";
        var rate = double.IsNaN(value.SamplesPerSecond) ? string.Empty : $" {value.SamplesPerSecond:F0}/s";
        task.Description = Markup.Escape($"{prefix}{value.Phase}{detail}{rate}");
    }

    public void Complete()
    {
        foreach (var task in _tasks.Values)
        {
            task.Value = task.MaxValue;
        }
    }

    public static Progress Create(IAnsiConsole console) => console.Progress()
        .AutoClear(false)
        .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn());
}
