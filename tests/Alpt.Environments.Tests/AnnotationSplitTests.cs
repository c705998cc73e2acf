using Alpt.Environments.Datasets;
using Alpt.Environments.Policies;

namespace Alpt.Environments.Tests;

public sealed class AnnotationSplitTests
{
    private static readonly TrajectoryDataset Dataset =
        DatasetGenerator.Generate(new DatasetSpec("breakout", "standard", 5000, BehaviourMix.Default, 3));

    [Theory]
    [InlineData(1, 10)]
    [InlineData(250, 32)]
    [InlineData(1000, 7)]
    [InlineData(5000, 64)]
    public void The_budget_is_met_exactly_with_whole_segments(int budget, int segmentLength)
    {
        var split = AnnotationSplit.Create(Dataset, budget, segmentLength, seed: 11);

        Assert.Equal(budget, split.LabelledTransitions.Count);
        Assert.Equal(budget, split.IsLabelled.Count(l => l));
        Assert.Equal(Dataset.TransitionCount - budget, split.UnlabelledTransitions.Count);
        Assert.Equal(budget, split.Segments.Sum(s => s.Length));
        var shortened = 0;
        foreach (var segment in split.Segments)
        {
            // Each segment starts on a segment boundary of its episode and stays inside the episode.
            var episode = Dataset.EpisodeOf(segment.Start);
            Assert.Equal(0, (segment.Start - Dataset.EpisodeStarts[episode]) % segmentLength);
            Assert.Equal(episode, Dataset.EpisodeOf(segment.Start + segment.Length - 1));
            var full = Math.Min(segmentLength, Dataset.EpisodeStarts[episode + 1] - segment.Start);
            if (segment.Length < full)
            {
                shortened++;
            }
        }

        Assert.True(shortened <= 1, "only the last segment drawn may be cut to fit the budget");
        for (var i = 0; i < split.UnlabelledTransitions.Count; i++)
        {
            Assert.Equal(Dataset.Actions[split.UnlabelledTransitions[i]], split.HiddenActions[i]);
            Assert.Equal(AnnotationSplit.Unlabelled, split.VisibleActions[split.UnlabelledTransitions[i]]);
        }
    }

    [Fact]
    public void The_split_is_seeded()
    {
        var a = AnnotationSplit.Create(Dataset, 300, 20, seed: 1);
        var b = AnnotationSplit.Create(Dataset, 300, 20, seed: 1);
        var c = AnnotationSplit.Create(Dataset, 300, 20, seed: 2);

        Assert.Equal(a.LabelledTransitions, b.LabelledTransitions);
        Assert.NotEqual(a.LabelledTransitions, c.LabelledTransitions);
    }

    [Fact]
    public void Accuracy_scores_predictions_against_the_hidden_labels()
    {
        var split = AnnotationSplit.Create(Dataset, 4000, 50, seed: 5);
        var perfect = split.HiddenActions.ToArray();
        var wrong = perfect.Select(a => (byte)(a + 1)).ToArray();

        Assert.Equal(1.0, split.Accuracy(perfect));
        Assert.Equal(0.0, split.Accuracy(wrong));
        Assert.Throws<ArgumentException>(() => split.Accuracy(new byte[3]));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    [InlineData(5001)]
    public void A_budget_outside_the_dataset_is_an_error(int budget)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => AnnotationSplit.Create(Dataset, budget, 10, 1));
        Assert.Contains("annotation budget", error.Message, StringComparison.Ordinal);
    }
}
