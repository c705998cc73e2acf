namespace Alpt.Environments.Core;

/// <summary>
/// The ids a learner's action head uses for one game. <see cref="Shared"/>: every game speaks the shared
/// vocabulary (head of 6, id = <see cref="GameAction"/> value). <see cref="Disjoint"/>: the game has its
/// own head of <see cref="HeadSize"/> ids (its minimal actions in order), and its global ids
/// <see cref="GlobalOffset"/> .. + HeadSize - 1 overlap with no other game's (claim 3 of ALPT: source
/// and target share no actions).
/// </summary>
public sealed class ActionSpace
{
    private readonly int[] _toHead;
    private readonly GameAction[] _fromHead;

    private ActionSpace(string vocabulary, int globalOffset, GameAction[] fromHead, int[] toHead)
    {
        Vocabulary = vocabulary;
        GlobalOffset = globalOffset;
        _fromHead = fromHead;
        _toHead = toHead;
    }

    /// <summary>Name of the head: "shared", or the game's name for a disjoint space. One head per vocabulary.</summary>
    public string Vocabulary { get; }

    public bool IsShared => Vocabulary == SharedVocabulary;

    /// <summary>Number of ids (logits) in this vocabulary's head.</summary>
    public int HeadSize => _fromHead.Length;

    /// <summary>First global id of this head: 0 for the shared head, disjoint ranges after it per game.</summary>
    public int GlobalOffset { get; }

    /// <summary>The vocabulary name of the shared head.</summary>
    public const string SharedVocabulary = "shared";

    /// <summary>Head-local id of a shared-vocabulary action. In a disjoint space, actions outside the game's
    /// minimal set map to its no-op (that is what the game does with them).</summary>
    public int ToHead(GameAction action)
    {
        var index = (int)action;
        if ((uint)index >= ActionVocabulary.Size)
        {
            throw new ArgumentOutOfRangeException(nameof(action), action, "Not an action of the shared vocabulary.");
        }

        return _toHead[index];
    }

    /// <summary>The shared-vocabulary action of a head-local id.</summary>
    public GameAction FromHead(int id)
    {
        if ((uint)id >= (uint)_fromHead.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(id), id, $"The '{Vocabulary}' head has ids 0..{_fromHead.Length - 1}.");
        }

        return _fromHead[id];
    }

    /// <summary>Id unique across every game's head (<see cref="GlobalOffset"/> + head id).</summary>
    public int ToGlobal(GameAction action) => GlobalOffset + ToHead(action);

    public static ActionSpace Shared { get; } = new(
        SharedVocabulary,
        0,
        [GameAction.Noop, GameAction.Left, GameAction.Up, GameAction.Right, GameAction.Down, GameAction.Fire],
        [0, 1, 2, 3, 4, 5]);

    /// <summary>A head of its own for a game whose minimal action set is <paramref name="minimalActions"/>
    /// (no-op first), starting at global id <paramref name="globalOffset"/>.</summary>
    internal static ActionSpace Disjoint(string game, IReadOnlyList<GameAction> minimalActions, int globalOffset)
    {
        if (minimalActions.Count == 0 || minimalActions[0] != GameAction.Noop)
        {
            throw new ArgumentException("A minimal action set starts with noop.", nameof(minimalActions));
        }

        var toHead = new int[ActionVocabulary.Size];
        for (var i = 0; i < minimalActions.Count; i++)
        {
            toHead[(int)minimalActions[i]] = i;
        }

        return new ActionSpace(game, globalOffset, [.. minimalActions], toHead);
    }

    public override string ToString() => $"{Vocabulary}[{HeadSize}]@{GlobalOffset}";
}
