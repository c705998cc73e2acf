using Alpt.Grid.Abstractions.Experiments;

namespace Alpt.Grid.Grains.Aggregation;

/// <summary>Mean, sample standard deviation and the 95% Student-t confidence interval of a metric over seeds.</summary>
public static class MetricStatistics
{
    // Two-sided 95% critical values t(0.975, df) for df = 1..30 (standard tables).
    private static readonly double[] T975 =
    [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
        2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
        2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
    ];

    /// <summary>t(0.975, df); beyond the table, interpolated in 1/df towards the normal 1.960 (error &lt; 0.002).</summary>
    public static double StudentT975(int degreesOfFreedom)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(degreesOfFreedom, 1);
        if (degreesOfFreedom <= T975.Length)
        {
            return T975[degreesOfFreedom - 1];
        }

        // Between df = 30 (2.042) and df = ∞ (1.960), t is close to linear in 1/df.
        return 1.960 + ((2.042 - 1.960) * 30.0 / degreesOfFreedom);
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

        var variance = values.Sum(v => (v - mean) * (v - mean)) / (n - 1);
        var std = Math.Sqrt(variance);
        var half = StudentT975(n - 1) * std / Math.Sqrt(n);
        return new MetricSummary(name, n, mean, std, mean - half, mean + half);
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
}
