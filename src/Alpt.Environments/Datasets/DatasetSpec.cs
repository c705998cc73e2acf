namespace Alpt.Environments.Datasets;

/// <summary>
/// One behaviour policy in a dataset's mix: the game's scripted expert with probability
/// 1 - <paramref name="Epsilon"/>, else a uniformly random action from the game's minimal set;
/// <paramref name="Weight"/> is its share of the dataset's episodes; <paramref name="Sight"/> what the expert's
/// lookahead knows of the future.
/// </summary>
public sealed record BehaviourSpec(string Name, double Epsilon, double Weight, Core.ExpertSight Sight = Core.ExpertSight.Observed);

/// <summary>
/// Everything a dataset is a deterministic function of. Two equal specs give byte-identical datasets
/// on every machine.
/// </summary>
public sealed record DatasetSpec(
    string Game,
    string Variant,
    int Transitions,
    IReadOnlyList<BehaviourSpec> Behaviours,
    ulong Seed,
    int Scale = 1,
    double StickyActions = 0)
{
    public bool Equals(DatasetSpec? other) =>
        other is not null && Game == other.Game && Variant == other.Variant && Transitions == other.Transitions &&
        Seed == other.Seed && Scale == other.Scale && StickyActions.Equals(other.StickyActions) &&
        Behaviours.SequenceEqual(other.Behaviours);

    public override int GetHashCode() => HashCode.Combine(Game, Variant, Transitions, Seed, Scale, StickyActions, Behaviours.Count);
}
