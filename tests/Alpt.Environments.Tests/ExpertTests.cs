using Alpt.Environments.Core;
using Alpt.Environments.Policies;

namespace Alpt.Environments.Tests;

public sealed class ExpertTests
{
    public static TheoryData<string, string> Variants()
    {
        var data = new TheoryData<string, string>();
        foreach (var game in GameCatalogue.Games)
        {
            foreach (var variant in game.Variants)
            {
                data.Add(game.Name, variant);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void The_expert_beats_random_play_by_a_wide_margin(string game, string variant)
    {
        var score = ReferenceReturns.Get(game, variant);

        Assert.True(score.ExpertReturn >= (2 * score.RandomReturn) + 3, $"{game}/{variant}: expert {score.ExpertReturn:F2} vs random {score.RandomReturn:F2}");
        Assert.Equal(0.0, score.Normalize(score.RandomReturn), 9);
        Assert.Equal(1.0, ReferenceReturns.NormalizedScore(game, variant, score.ExpertReturn), 9);
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void Noisier_behaviour_scores_lower(string game, string variant)
    {
        var instance = GameCatalogue.Create(game, variant);
        double Mean(double epsilon)
        {
            var policy = new BehaviourPolicy(epsilon);
            var sum = 0.0;
            for (var e = 0; e < 12; e++)
            {
                sum += EpisodeRunner.Play(instance, policy, (ulong)(e + 1000)).Return;
            }

            return sum / 12;
        }

        Assert.True(Mean(0.5) < Mean(0.0), $"{game}/{variant}: eps 0.5 should play worse than the expert");
    }

    [Fact]
    public void Behaviour_policies_are_validated_and_seeded()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new BehaviourPolicy(1.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BehaviourPolicy(-0.1));
        var game = GameCatalogue.Create("asterix");
        var a = EpisodeRunner.Play(game, new BehaviourPolicy(0.3), 17);
        var b = EpisodeRunner.Play(game, new BehaviourPolicy(0.3), 17);
        Assert.Equal(a, b);
        var capped = EpisodeRunner.Play(game, BehaviourPolicy.Expert(), 17, maxSteps: 25);
        Assert.Equal(25, capped.Steps);
        Assert.False(capped.Terminated);
    }
}
