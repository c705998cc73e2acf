using Alpt.Grid.Grains.Aggregation;

namespace Alpt.Grid.Grains.Tests;

public sealed class AggregationTests
{
    [Fact]
    public void Three_values_give_sample_std_and_a_student_t_interval()
    {
        var s = MetricStatistics.Summarize("m", [1.0, 2.0, 3.0]);

        Assert.Equal(3, s.N);
        Assert.Equal(2.0, s.Mean, 12);
        Assert.Equal(1.0, s.Std, 12);
        var half = 4.303 / Math.Sqrt(3);
        Assert.Equal(2.0 - half, s.CiLow, 9);
        Assert.Equal(2.0 + half, s.CiHigh, 9);
    }

    [Fact]
    public void Two_values_use_t_with_one_degree_of_freedom()
    {
        var s = MetricStatistics.Summarize("m", [0.4, 0.6]);
        var std = Math.Sqrt(0.02);
        Assert.Equal(std, s.Std, 12);
        Assert.Equal(0.5 + (12.706 * std / Math.Sqrt(2)), s.CiHigh, 9);
    }

    [Fact]
    public void One_value_has_a_mean_but_no_interval()
    {
        var s = MetricStatistics.Summarize("m", [0.7]);
        Assert.Equal(0.7, s.Mean);
        Assert.True(double.IsNaN(s.CiLow) && double.IsNaN(s.Std));
    }

    [Theory]
    [InlineData(1, 12.706)]
    [InlineData(4, 2.776)]
    [InlineData(30, 2.042)]
    [InlineData(60, 2.000)]
    [InlineData(120, 1.980)]
    public void Critical_values_match_the_t_table(int df, double expected)
    {
        // Exact in the table (df ≤ 30); interpolated beyond, within 0.005 of the table.
        Assert.Equal(expected, MetricStatistics.StudentT975(df), 2);
    }

    [Fact]
    public void Metrics_are_summarized_by_name_over_records()
    {
        var summaries = MetricStatistics.Summarize(
        [
            new Dictionary<string, double> { ["a"] = 1, ["b"] = 10 },
            new Dictionary<string, double> { ["a"] = 3 },
        ]);
        Assert.Equal(["a", "b"], summaries.Select(s => s.Name));
        Assert.Equal(2.0, summaries[0].Mean);
        Assert.Equal(1, summaries[1].N);
    }
}
