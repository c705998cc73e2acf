using Alpt.Learning.Trials;

namespace Alpt.Learning.Tests;

public sealed class AnnotationBudgetTests
{
    [Theory]
    [InlineData("250", 25_000, 250)]
    [InlineData("10_000", 25_000, 10_000)]
    [InlineData("1%", 25_000, 250)]
    [InlineData("0.5%", 50_000, 250)]
    [InlineData("12min", 50_000, 10_800)]
    [InlineData("1.5 min", 25_000, 1_350)]
    [InlineData(" 2% ", 2_000, 40)]
    public void A_budget_resolves_to_labelled_transitions(string text, int targetTransitions, int expected) =>
        Assert.Equal(expected, AnnotationBudget.Parse(text).Resolve(targetTransitions));

    [Fact]
    public void Minutes_are_at_the_atari_agent_rate_of_15_transitions_per_second()
    {
        Assert.Equal(15, AnnotationBudget.TransitionsPerSecond);
        Assert.Equal(12, AnnotationBudget.MinutesOf(10_800), 9);
        Assert.Equal("12", AnnotationBudget.FormatMinutes(10_800));
        Assert.Equal("0.278", AnnotationBudget.FormatMinutes(250));
        Assert.Equal("1.11", AnnotationBudget.FormatMinutes(1_000));
        Assert.Equal("12min", AnnotationBudget.Parse("12 min").ToString());
        Assert.Equal("1%", AnnotationBudget.Parse("1%").ToString());
    }

    [Theory]
    [InlineData("", "budget '' is not a count of labelled transitions (250), a share of the target data (1%) or minutes of play (12min)")]
    [InlineData("twelve", "budget 'twelve' is not a count")]
    [InlineData("2.5", "budget '2.5' is not a count")]
    [InlineData("12mins", "budget '12mins' is not a count")]
    [InlineData("%", "budget '%' is not a count")]
    [InlineData("0", "budget '0' must be > 0")]
    [InlineData("-1%", "budget '-1%' must be > 0")]
    [InlineData("100%", "budget '100%' must be a share below 100%")]
    public void A_bad_budget_is_refused_naming_it(string text, string expected)
    {
        Assert.False(AnnotationBudget.TryParse(text, out _, out var error));
        Assert.StartsWith(expected, error, StringComparison.Ordinal);
        Assert.StartsWith(expected, Assert.Throws<FormatException>(() => AnnotationBudget.Parse(text)).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("12min", 2_000, "budget 12min (10,800 transitions) must be below the target dataset's 2,000 transitions")]
    [InlineData("2000", 2_000, "budget 2000 must be below the target dataset's 2,000 transitions")]
    [InlineData("0.01%", 2_000, "budget 0.01% is less than one labelled transition (of a target dataset of 2,000)")]
    public void A_budget_that_does_not_fit_the_target_dataset_is_refused(string text, int targetTransitions, string expected) =>
        Assert.Equal(expected, Assert.Throws<ArgumentException>(() => AnnotationBudget.Parse(text).Resolve(targetTransitions)).Message);
}
