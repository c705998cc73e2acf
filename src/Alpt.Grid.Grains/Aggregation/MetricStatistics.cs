using Alpt.Grid.Abstractions.Experiments;
using MathNet.Numerics.Distributions;

namespace Alpt.Grid.Grains.Aggregation;

/// <summary>A difference of means (a − b) with its 95% interval and the number of values behind it; NaN bounds where undefined.</summary>
/// <param name="N">Pairs for a paired difference; for Welch's, the smaller of the two sample sizes.</param>
public sealed record MeanDifference(int N, double Difference, double Low, double High);

/// <summary>
/// Mean, sample standard deviation and 95% Student-t confidence intervals of metrics over seeds, and of
/// differences between two experiments (paired by seed, or Welch's for independent samples).
/// </summary>
public static class MetricStatistics
{
    /// <summary>t(0.975, df), the two-sided 95% critical value of Student's t (df need not be whole).</summary>
    public static double StudentT975(double degreesOfFreedom)
    {
        if (!(degreesOfFreedom > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(degreesOfFreedom), degreesOfFreedom, "degrees of freedom must be > 0");
        }

        return StudentT.InvCDF(0, 1, degreesOfFreedom, 0.975);
    }

    public static MetricSummary Summarize(string name, IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var n = values.Count;
        if (n == 0)
        {
            return new MetricSummary(name, 0, double.NaN, double.NaN, double.NaN, double.NaN);
        }

        var mean = values.Average();
        if (n == 1)
        {
            // One seed: no spread to estimate, so no interval.
            return new MetricSummary(name, 1, mean, double.NaN, double.NaN, double.NaN);
        }

        var std = Math.Sqrt(Variance(values));
        var half = StudentT975(n - 1) * std / Math.Sqrt(n);
        return new MetricSummary(name, n, mean, std, mean - half, mean + half);
    }

    /// <summary>
    /// Mean of a − b over the pairs (a[i], b[i]) and its 95% t interval (n − 1 degrees of freedom): the
    /// interval for two methods run on the same seeds, which share everything the seed decides.
    /// </summary>
    public static MeanDifference Paired(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Count != b.Count)
        {
            throw new ArgumentException($"a paired difference needs as many values on each side, got {a.Count} and {b.Count}");
        }

        var differences = a.Zip(b, (x, y) => x - y).ToList();
        var s = Summarize("", differences);
        return new MeanDifference(s.N, s.Mean, s.CiLow, s.CiHigh);
    }

    /// <summary>Difference of means (a − b) and its 95% Welch interval (unequal variances, Welch–Satterthwaite df); NaN bounds when either side has one value.</summary>
    public static MeanDifference Welch(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Count == 0 || b.Count == 0)
        {
            return new MeanDifference(0, double.NaN, double.NaN, double.NaN);
        }

        var n = Math.Min(a.Count, b.Count);
        var diff = a.Average() - b.Average();
        if (a.Count < 2 || b.Count < 2)
        {
            return new MeanDifference(n, diff, double.NaN, double.NaN);
        }

        var va = Variance(a) / a.Count;
        var vb = Variance(b) / b.Count;
        var se = Math.Sqrt(va + vb);
        if (se == 0)
        {
            return new MeanDifference(n, diff, diff, diff);
        }

        var df = (va + vb) * (va + vb) / ((va * va / (a.Count - 1)) + (vb * vb / (b.Count - 1)));
        var half = StudentT975(df) * se;
        return new MeanDifference(n, diff, diff - half, diff + half);
    }

    /// <summary>One summary per metric name seen in any record, in name order.</summary>
    public static MetricSummary[] Summarize(IEnumerable<IReadOnlyDictionary<string, double>> results)
    {
        var byName = new SortedDictionary<string, List<double>>(StringComparer.Ordinal);
        foreach (var metrics in results)
        {
            foreach (var (name, value) in metrics)
            {
                if (!byName.TryGetValue(name, out var list))
                {
                    byName[name] = list = [];
                }

                list.Add(value);
            }
        }

        return [.. byName.Select(p => Summarize(p.Key, p.Value))];
    }

    private static double Variance(IReadOnlyList<double> values)
    {
        var mean = values.Average();
        return values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1);
    }
}
