namespace Alpt.Learning.Trials;

/// <summary>How well the IDM labelled the unlabelled target transitions, against their true actions.</summary>
/// <param name="Overall">Fraction of labelled transitions whose predicted action is the true one.</param>
/// <param name="PerAction">Recall per true action (shared-vocabulary name); null where the action never occurs.</param>
/// <param name="Confusion">Confusion[true][predicted] counts over the shared vocabulary.</param>
public sealed record LabelAccuracy(double Overall, int Count, IReadOnlyDictionary<string, double?> PerAction, IReadOnlyList<IReadOnlyList<long>> Confusion);

/// <summary>Online evaluation of the policy in the target game.</summary>
/// <param name="NormalizedScore">(mean − random) / (expert − random) with the game's reference returns.</param>
public sealed record EvaluationOutcome(
    string Game,
    string Variant,
    int Episodes,
    double TargetReturn,
    double MeanReturn,
    double StdReturn,
    double NormalizedScore,
    double RandomReturn,
    double ExpertReturn,
    IReadOnlyList<double> Returns);

/// <summary>A downsampled training curve: (step, mean loss over the preceding interval).</summary>
public sealed record TrainingCurve(string Phase, IReadOnlyList<int> Steps, IReadOnlyList<double> Losses);

/// <summary>The policy evaluated part-way through its training (and at the end).</summary>
/// <param name="Step">Policy training steps done.</param>
/// <param name="Seconds">Policy training seconds (wall clock) spent by then, evaluations excluded.</param>
/// <param name="CpuSeconds">The same in CPU time of the trial's thread: what one core did, whatever else the machine
/// ran (all of the trial's CPU use at one Torch thread; with more, the other threads' share is not in it).</param>
public sealed record PolicyCheckpoint(int Step, double Seconds, double CpuSeconds, int Episodes, double MeanReturn, double NormalizedScore);

/// <summary>Everything a trial produced. Plain data, stored by the grid as JSON.</summary>
public sealed record TrialResult(
    TrialSpec Spec,
    int LabelledTransitions,
    int UnlabelledTransitions,
    LabelAccuracy? IdmAccuracy,
    EvaluationOutcome Evaluation,
    IReadOnlyDictionary<string, double> PhaseSeconds,
    IReadOnlyList<TrainingCurve> Curves,
    string Device,
    int Threads,
    double TotalSeconds,
    IReadOnlyList<PolicyCheckpoint>? PolicyCheckpoints = null);
