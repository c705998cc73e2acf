using System.Globalization;

namespace Alpt.Learning.Trials;

/// <summary>How an annotation budget is written.</summary>
public enum BudgetUnit
{
    /// <summary>A count of labelled target transitions: <c>250</c>.</summary>
    Transitions,

    /// <summary>A share of the target dataset: <c>1%</c>.</summary>
    Share,

    /// <summary>Minutes of play at the Atari agent rate: <c>12min</c>.</summary>
    Minutes,
}

/// <summary>
/// An annotation budget in the paper's units: a count of labelled target transitions (<c>250</c>), a
/// share of the target data (<c>1%</c>) or minutes of play (<c>12min</c>). Minutes convert at the
/// Atari agent rate of <see cref="TransitionsPerSecond"/> (60 frames/s, frame skip 4), so 12 minutes
/// are 10,800 transitions; a share resolves against the target dataset's size. Trials and sweeps
/// run on the resolved count; results show it in transitions and in minutes.
/// </summary>
public readonly record struct AnnotationBudget(double Value, BudgetUnit Unit)
{
    /// <summary>Transitions per second of play: 60 frames/s with frame skip 4.</summary>
    public const double TransitionsPerSecond = 15;

    /// <summary>What every budget error says a budget may look like.</summary>
    public const string Forms = "a count of labelled transitions (250), a share of the target data (1%) or minutes of play (12min)";

    /// <summary>Parses "250", "10_000", "1%", "0.5%", "12min", "1.5 min"; throws <see cref="FormatException"/> naming the text.</summary>
    public static AnnotationBudget Parse(string text) =>
        TryParse(text, out var budget, out var error) ? budget : throw new FormatException(error);

    public static bool TryParse(string? text, out AnnotationBudget budget, out string error)
    {
        budget = default;
        var trimmed = (text ?? "").Trim().Replace("_", "", StringComparison.Ordinal);
        var (number, unit) = trimmed.EndsWith('%')
            ? (trimmed[..^1], BudgetUnit.Share)
            : trimmed.EndsWith("min", StringComparison.OrdinalIgnoreCase)
                ? (trimmed[..^3], BudgetUnit.Minutes)
                : (trimmed, BudgetUnit.Transitions);
        number = number.TrimEnd();
        var style = unit == BudgetUnit.Transitions ? NumberStyles.AllowLeadingSign : NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint;
        if (number.Length == 0 || !double.TryParse(number, style, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
        {
            error = $"budget '{text}' is not {Forms}";
            return false;
        }

        if (value <= 0)
        {
            error = $"budget '{text}' must be > 0";
            return false;
        }

        if (unit == BudgetUnit.Share && value >= 100)
        {
            error = $"budget '{text}' must be a share below 100% (the rest of the target data is what gets labelled)";
            return false;
        }

        budget = new AnnotationBudget(value, unit);
        error = "";
        return true;
    }

    /// <summary>A count of labelled transitions.</summary>
    public static AnnotationBudget Of(int transitions) => new(transitions, BudgetUnit.Transitions);

    /// <summary>
    /// Labelled transitions out of a target dataset of <paramref name="targetTransitions"/>; throws
    /// <see cref="ArgumentException"/> naming the budget when it is under one transition or not below the dataset.
    /// </summary>
    public int Resolve(int targetTransitions)
    {
        var exact = Unit switch
        {
            BudgetUnit.Share => targetTransitions * Value / 100,
            BudgetUnit.Minutes => Value * 60 * TransitionsPerSecond,
            _ => Value,
        };
        var count = Math.Round(exact, MidpointRounding.AwayFromZero);
        if (count < 1)
        {
            throw new ArgumentException($"budget {this} is less than one labelled transition (of a target dataset of {targetTransitions:N0})");
        }

        if (count >= targetTransitions)
        {
            throw new ArgumentException($"budget {this}{(Unit == BudgetUnit.Transitions ? "" : $" ({count:N0} transitions)")} must be below the target dataset's {targetTransitions:N0} transitions");
        }

        return (int)count;
    }

    /// <summary>Minutes of play that <paramref name="transitions"/> labelled transitions are worth.</summary>
    public static double MinutesOf(int transitions) => transitions / TransitionsPerSecond / 60;

    /// <summary>Minutes of play as results show them: three significant digits ("0.278", "12", "44.4").</summary>
    public static string FormatMinutes(int transitions) => MinutesOf(transitions).ToString("G3", CultureInfo.InvariantCulture);

    /// <summary>As written: "250", "1%", "12min".</summary>
    public override string ToString() => Value.ToString(CultureInfo.InvariantCulture) + Unit switch
    {
        BudgetUnit.Share => "%",
        BudgetUnit.Minutes => "min",
        _ => "",
    };
}
