using Alpt.Grid.Abstractions.Sweeps;

namespace Alpt.Grid.Console.Sweeps;

/// <summary>
/// What a YAML spec (or a preset) asks for: one grid sweep, or one per target when the source sets
/// are relative to the target ("all-others") and there are several targets. The parts' ids are
/// <c>name</c> or <c>name.target</c>; the console treats them as one sweep.
/// </summary>
public sealed record SweepDefinition(string Name, IReadOnlyList<SweepSpec> Parts)
{
    public int Trials => Parts.Sum(p => (int)p.TrialCount());

    public int Experiments => Parts.Sum(p => SweepExpansion.Experiments(p).Count);
}
