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
        // t(0.975, 2) = 4.302653 (MathNet's quantile; tables round it to 4.303).
        var half = 4.302653 / Math.Sqrt(3);
        Assert.Equal(2.0 - half, s.CiLow, 6);
        Assert.Equal(2.0 + half, s.CiHigh, 6);
    }

    [Fact]
    public void Two_values_use_t_with_one_degree_of_freedom()
    {
        var s = MetricStatistics.Summarize("m", [0.4, 0.6]);
        var std = Math.Sqrt(0.02);
        Assert.Equal(std, s.Std, 12);
        Assert.Equal(0.5 + (12.706205 * std / Math.Sqrt(2)), s.CiHigh, 6);
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
    public void A_paired_difference_has_the_t_interval_of_the_per_seed_differences()
    {
        // Differences 1, 2, 2: mean 5/3, sd sqrt(1/3), t(0.975, 2) = 4.302653, half-width 4.302653 · sqrt(1/3) / sqrt(3).
        var paired = MetricStatistics.Paired([1, 2, 3], [0, 0, 1]);

        Assert.Equal(3, paired.N);
        Assert.Equal(5.0 / 3, paired.Difference, 9);
        Assert.Equal((5.0 / 3) - (4.302653 / 3), paired.Low, 5);
        Assert.Equal((5.0 / 3) + (4.302653 / 3), paired.High, 5);
        Assert.True(double.IsNaN(MetricStatistics.Paired([1], [0]).Low));
        Assert.Throws<ArgumentException>(() => MetricStatistics.Paired([1, 2], [0]));
    }

    [Fact]
    public void Welch_uses_the_fractional_degrees_of_freedom()
    {
        // a: var 1 (n 3), b: var 2.5 (n 5): va = 1/3, vb = 1/2; df = (1/3 + 1/2)² / ((1/3)²/2 + (1/2)²/4) ≈ 5.8, not a whole number.
        var welch = MetricStatistics.Welch([1, 2, 3], [-2, -1, 0, 1, 2]);

        var se = Math.Sqrt((1.0 / 3) + (2.5 / 5));
        var va = 1.0 / 3;
        var vb = 2.5 / 5;
        var df = (va + vb) * (va + vb) / ((va * va / 2) + (vb * vb / 4));
        Assert.Equal(2, welch.Difference, 9);
        Assert.Equal(2 - (MathNet.Numerics.Distributions.StudentT.InvCDF(0, 1, df, 0.975) * se), welch.Low, 9);
        Assert.InRange(MetricStatistics.StudentT975(df), MetricStatistics.StudentT975(Math.Ceiling(df)), MetricStatistics.StudentT975(Math.Floor(df)));
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
