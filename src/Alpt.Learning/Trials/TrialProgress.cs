namespace Alpt.Learning.Trials;

/// <summary>Phases of a trial, in order; a trial reports only the ones its method runs.</summary>
public static class TrialPhases
{
    public const string Datasets = "datasets";
    public const string IdmTraining = "idm";
    public const string IdmFineTuning = "idm-finetune";
    public const string Labelling = "labelling";
    public const string PolicyTraining = "policy";
    public const string Evaluation = "evaluation";
}

/// <summary>One progress report: where the trial is, and how fast it goes.</summary>
/// <param name="Loss">Mean training loss since the last report (NaN outside training phases).</param>
/// <param name="SamplesPerSecond">Samples (or evaluation steps) per second since the last report.</param>
public sealed record TrialProgress(string Phase, long Step, long TotalSteps, double Loss, double SamplesPerSecond);
