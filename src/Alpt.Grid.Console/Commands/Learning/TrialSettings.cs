using System.ComponentModel;
using Alpt.Grid.Silo.Trials;
using Alpt.Learning.Trials;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Alpt.Grid.Console.Commands.Learning;

/// <summary>Options every trial command shares: hyperparameter preset, policy, device, threads.</summary>
public class TrialCommonSettings : CommandSettings
{
    [CommandOption("--budget <BUDGET>")]
    [Description("Annotation budget: labelled transitions (250), a share of the target dataset (1%, the default) or minutes of play at 15 transitions/s (12min).")]
    public string? Budget { get; init; }

    [CommandOption("--preset <NAME>")]
    [Description("Hyperparameter preset: smoke, quick (default) or paper.")]
    [DefaultValue("quick")]
    public string Preset { get; init; } = "quick";

    [CommandOption("--policy <KIND>")]
    [Description("Policy model: dt (Decision Transformer, default) or bc (behaviour cloning).")]
    [DefaultValue("dt")]
    public string Policy { get; init; } = "dt";

    [CommandOption("--disjoint-actions")]
    [Description("Give every game its own IDM action head (sources share no action ids with the target).")]
    public bool DisjointActions { get; init; }

    [CommandOption("--eval-variant <VARIANT>")]
    [Description("Evaluate the policy on this variant of the target (default: the target's own).")]
    public string? EvaluationVariant { get; init; }

    [CommandOption("--device <DEVICE>")]
    [Description("cpu (default), cuda or cuda:N.")]
    [DefaultValue("cpu")]
    public string Device { get; init; } = "cpu";

    [CommandOption("--threads <N>")]
    [Description("Intra-op threads for Torch (default: Torch's own choice).")]
    public int? Threads { get; init; }

    [CommandOption("--set <NAME=VALUE>")]
    [Description("Override one hyperparameter of the preset, e.g. --set policy.steps=2000 (repeatable; names as in a sweep's overrides).")]
    public string[] Overrides { get; init; } = [];

    [CommandOption("--json")]
    [Description("Print the result as JSON (no progress display).")]
    public bool Json { get; init; }

    public override ValidationResult Validate()
    {
        if (Threads is < 1)
        {
            return ValidationResult.Error("--threads must be at least 1.");
        }

        if (Budget is not null && !AnnotationBudget.TryParse(Budget, out _, out var budgetError))
        {
            return ValidationResult.Error($"--budget: {budgetError}.");
        }

        if (Overrides.FirstOrDefault(o => !o.Contains('=', StringComparison.Ordinal)) is { } bad)
        {
            return ValidationResult.Error($"--set '{bad}' is not NAME=VALUE.");
        }

        return Policy.Trim().ToLowerInvariant() is "dt" or "bc"
            ? ValidationResult.Success()
            : ValidationResult.Error($"--policy '{Policy}' is not known: expected dt or bc.");
    }

    /// <summary>The preset with the chosen policy kind and the --set overrides (an unknown name or bad value throws, naming it).</summary>
    public TrialHyperparameters Hyperparameters()
    {
        var preset = TrialHyperparameters.FromPreset(Preset);
        var kind = Policy.Trim().ToLowerInvariant() == "bc" ? PolicyKind.BehaviourCloning : PolicyKind.DecisionTransformer;
        preset = preset with { Policy = preset.Policy with { Kind = kind } };
        return HyperparameterOverrides.Apply(preset, HyperparameterOverrides.ParsePairs(Overrides));
    }

    /// <summary>The budget in labelled transitions of this preset's target dataset; throws <see cref="ArgumentException"/> naming a budget that does not fit it.</summary>
    public int BudgetFor(TrialHyperparameters hp)
    {
        ArgumentNullException.ThrowIfNull(hp);
        var budget = Budget is null ? DefaultBudget : AnnotationBudget.Parse(Budget);
        try
        {
            return budget.Resolve(hp.Data.TargetTransitions);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"--budget: {e.Message}.", e);
        }
    }

    /// <summary>1% of the target data, the paper's smallest budgets' order.</summary>
    private static AnnotationBudget DefaultBudget => new(1, BudgetUnit.Share);

    /// <summary>Splits "a,b:hard" into games; empty for null or blank.</summary>
    public static IReadOnlyList<GameRef> ParseGames(string? list) =>
        string.IsNullOrWhiteSpace(list) ? [] : [.. list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(GameRef.Parse)];
}
