using System.Text.Json.Serialization;

namespace Alpt.Environments.Core;

/// <summary>What a scripted expert's lookahead knows of the future.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ExpertSight>))]
public enum ExpertSight
{
    /// <summary>Only what the game has shown so far: it plays candidate lines on from the current state with
    /// randomness of its own, as an agent that learned the game's rules would. The suite's default.</summary>
    Observed,

    /// <summary>The game's real future randomness (spawns, bombs): an oracle no policy trained on frames can match.</summary>
    Clairvoyant,
}
