using Alpt.Environments.Core;

namespace Alpt.Environments.Datasets;

/// <summary>
/// An offline dataset of whole episodes in one game: frames, true actions (shared vocabulary),
/// rewards, episode boundaries and the behaviour policy of each episode.
/// </summary>
/// <remarks>
/// Layout: transitions are numbered 0..TransitionCount-1, episode by episode. An episode of L
/// transitions has L + 1 frames (the observation before each action, then the final one), so the
/// frame before transition t is <c>t + EpisodeOf(t)</c> and the frame after it is the next one.
/// </remarks>
public sealed class TrajectoryDataset
{
    public TrajectoryDataset(
        DatasetSpec spec,
        ObservationShape shape,
        byte[] frames,
        byte[] actions,
        float[] rewards,
        int[] episodeStarts,
        byte[] episodeBehaviour,
        bool[] episodeTerminated)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(frames);
        ArgumentNullException.ThrowIfNull(actions);
        ArgumentNullException.ThrowIfNull(rewards);
        ArgumentNullException.ThrowIfNull(episodeStarts);
        ArgumentNullException.ThrowIfNull(episodeBehaviour);
        ArgumentNullException.ThrowIfNull(episodeTerminated);
        var transitions = actions.Length;
        var episodes = episodeStarts.Length - 1;
        if (episodes < 0 || episodeStarts[0] != 0 || episodeStarts[^1] != transitions)
        {
            throw new ArgumentException("episodeStarts must run from 0 to the transition count, one entry per episode plus the end.", nameof(episodeStarts));
        }

        for (var e = 0; e < episodes; e++)
        {
            if (episodeStarts[e + 1] <= episodeStarts[e])
            {
                throw new ArgumentException($"Episode {e} is empty or out of order.", nameof(episodeStarts));
            }
        }

        if (rewards.Length != transitions)
        {
            throw new ArgumentException($"Expected {transitions} rewards, got {rewards.Length}.", nameof(rewards));
        }

        if (frames.Length != (long)(transitions + episodes) * shape.Length)
        {
            throw new ArgumentException($"Expected {(transitions + episodes) * shape.Length} frame bytes, got {frames.Length}.", nameof(frames));
        }

        if (episodeBehaviour.Length != episodes || episodeTerminated.Length != episodes)
        {
            throw new ArgumentException("One behaviour id and one terminal flag are needed per episode.", nameof(episodeBehaviour));
        }

        Spec = spec;
        Shape = shape;
        Frames = frames;
        Actions = actions;
        Rewards = rewards;
        EpisodeStarts = episodeStarts;
        EpisodeBehaviour = episodeBehaviour;
        EpisodeTerminated = episodeTerminated;
        _episodeOf = new int[transitions];
        for (var e = 0; e < episodes; e++)
        {
            _episodeOf.AsSpan(episodeStarts[e], episodeStarts[e + 1] - episodeStarts[e]).Fill(e);
        }
    }

    private readonly int[] _episodeOf;

    public DatasetSpec Spec { get; }

    public ObservationShape Shape { get; }

    public int TransitionCount => Actions.Length;

    public int EpisodeCount => EpisodeStarts.Length - 1;

    /// <summary>All frames, (TransitionCount + EpisodeCount) × Shape.Length bytes.</summary>
    public byte[] Frames { get; }

    /// <summary>True action of each transition, in the shared vocabulary (<see cref="GameAction"/>).</summary>
    public byte[] Actions { get; }

    public float[] Rewards { get; }

    /// <summary>First transition of each episode, then TransitionCount.</summary>
    public int[] EpisodeStarts { get; }

    /// <summary>Index into <see cref="DatasetSpec.Behaviours"/> of the policy that played each episode.</summary>
    public byte[] EpisodeBehaviour { get; }

    /// <summary>Whether each episode ended in a terminal state (false: cut off by the step limit or the dataset's end).</summary>
    public bool[] EpisodeTerminated { get; }

    public int EpisodeOf(int transition) => _episodeOf[transition];

    /// <summary>Index of the frame observed before <paramref name="transition"/>'s action.</summary>
    public int FrameBefore(int transition) => transition + _episodeOf[transition];

    public ReadOnlySpan<byte> Frame(int frameIndex) => Frames.AsSpan(frameIndex * Shape.Length, Shape.Length);

    public int EpisodeLength(int episode) => EpisodeStarts[episode + 1] - EpisodeStarts[episode];

    /// <summary>Undiscounted return of each episode.</summary>
    public float[] EpisodeReturns()
    {
        var returns = new float[EpisodeCount];
        for (var e = 0; e < EpisodeCount; e++)
        {
            for (var t = EpisodeStarts[e]; t < EpisodeStarts[e + 1]; t++)
            {
                returns[e] += Rewards[t];
            }
        }

        return returns;
    }
}
