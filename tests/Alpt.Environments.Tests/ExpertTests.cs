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

    [Theory]
    [InlineData("seaquest")]
    [InlineData("asterix")]
    public void The_observed_expert_acts_on_what_the_game_has_shown_and_never_on_its_real_future(string game)
    {
        // Two copies of one episode that differ only in their future randomness from step k on: the observed
        // expert must choose alike in both, the clairvoyant one (the check that this test can fail) need not.
        var observedDiffers = 0;
        var clairvoyantDiffers = 0;
        for (var k = 1; k <= 300; k += 3)
        {
            var a = (GridGame)GameCatalogue.Create(game);
            var b = (GridGame)GameCatalogue.Create(game);
            a.Reset(42);
            b.Reset(42);
            var terminal = false;
            for (var t = 0; t < k && !terminal; t++)
            {
                var action = a.ChooseExpertAction(ExpertSight.Observed);
                Assert.Equal(action, b.ChooseExpertAction(ExpertSight.Observed));
                terminal = a.Step(action).Terminal;
                b.Step(action);
            }

            if (terminal)
            {
                break;
            }

            b.ReseedFuture((ulong)k * 7919);
            observedDiffers += a.ChooseExpertAction(ExpertSight.Observed) != b.ChooseExpertAction(ExpertSight.Observed) ? 1 : 0;
            clairvoyantDiffers += a.ChooseExpertAction(ExpertSight.Clairvoyant) != b.ChooseExpertAction(ExpertSight.Clairvoyant) ? 1 : 0;
        }

        Assert.Equal(0, observedDiffers);
        Assert.True(clairvoyantDiffers > 0, $"{game}: the clairvoyant expert never looked at the future it was given");
    }

    [Fact]
    public void The_clairvoyant_expert_is_an_upper_reference_where_the_future_matters()
    {
        // Seaquest's expert dodges enemies that have not spawned yet when it may see the future.
        var score = ReferenceReturns.Get("seaquest");
        Assert.True(score.ClairvoyantExpertReturn > score.ExpertReturn * 1.2, $"observed {score.ExpertReturn:F1}, clairvoyant {score.ClairvoyantExpertReturn:F1}");
        var breakout = ReferenceReturns.Get("breakout");
        Assert.Equal(breakout.ClairvoyantExpertReturn, breakout.ExpertReturn, 9); // nothing random to foresee
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
