namespace Alpt.Grid.Abstractions.Trials;

/// <summary>
/// A curve a trial measured while it trained: one quantity (<see cref="TrialCurves.Loss"/>, or the
/// policy's return evaluated part-way through its training) against the training steps of one phase
/// (idm, idm-finetune, policy). Stored with the seed's result, so at most <see cref="TrialCurves.MaxPoints"/> points.
/// </summary>
[GenerateSerializer, Immutable]
[Alias("alpt.TrialCurve")]
public sealed record TrialCurve(
    [property: Id(0)] string Phase,
    [property: Id(1)] string Quantity,
    [property: Id(2)] int[] Steps,
    [property: Id(3)] double[] Values)
{
    /// <summary>"phase quantity", e.g. "policy loss": how a curve is named in plots and filters.</summary>
    public string Name => $"{Phase} {Quantity}";
}

/// <summary>The quantities curves measure, and the bound on their size that keeps a seed's stored state small.</summary>
public static class TrialCurves
{
    /// <summary>Training loss: the mean over the steps since the previous point.</summary>
    public const string Loss = "loss";

    /// <summary>The policy's normalized return, evaluated while it trained (and at the end).</summary>
    public const string NormalizedReturn = TrialMetrics.NormalizedReturn;

    /// <summary>The policy's mean return, evaluated while it trained (and at the end).</summary>
    public const string Return = TrialMetrics.Return;

    /// <summary>
    /// Points kept per curve. Training loops already downsample to about 100; this bounds whatever a trial
    /// reports, so the curves of a seed stay a few kilobytes (an Azure table row holds 1 MB, 64 KB per property).
    /// </summary>
    public const int MaxPoints = 200;

    /// <summary>
    /// The curve with at most <see cref="MaxPoints"/> points: consecutive points averaged in equal runs,
    /// each run placed at its last step (a loss point is already the mean of the steps before it). Steps and
    /// values of different lengths are an error.
    /// </summary>
    public static TrialCurve Bounded(string phase, string quantity, IReadOnlyList<int> steps, IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(steps);
        ArgumentNullException.ThrowIfNull(values);
        if (steps.Count != values.Count)
        {
            throw new ArgumentException($"curve {phase} {quantity} has {steps.Count} steps but {values.Count} values");
        }

        if (steps.Count <= MaxPoints)
        {
            return new TrialCurve(phase, quantity, [.. steps], [.. values]);
        }

        var runs = (steps.Count + MaxPoints - 1) / MaxPoints;
        var keptSteps = new List<int>();
        var keptValues = new List<double>();
        for (var start = 0; start < steps.Count; start += runs)
        {
            var end = Math.Min(steps.Count, start + runs);
            var sum = 0.0;
            for (var i = start; i < end; i++)
            {
                sum += values[i];
            }

            keptSteps.Add(steps[end - 1]);
            keptValues.Add(sum / (end - start));
        }

        return new TrialCurve(phase, quantity, [.. keptSteps], [.. keptValues]);
    }
}

/// <summary>One succeeded seed's curves, as its experiment hands them out.</summary>
[GenerateSerializer, Immutable]
[Alias("alpt.SeedCurves")]
public sealed record SeedCurves(
    [property: Id(0)] int Seed,
    [property: Id(1)] TrialCurve[] Curves);
