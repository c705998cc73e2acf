using Alpt.Learning.Labelling;

namespace Alpt.Learning.Tests;

public sealed class LabellingTests
{
    [Fact]
    public void Accuracy_per_action_and_the_confusion_matrix_are_counted_right()
    {
        byte[] truth = [0, 0, 1, 1, 1, 3, 5, 5];
        byte[] predicted = [0, 1, 1, 1, 3, 3, 5, 0];

        var score = IdmLabeller.Score(predicted, truth);

        Assert.Equal(5.0 / 8, score.Overall, 10);
        Assert.Equal(8, score.Count);
        Assert.Equal(0.5, score.PerAction["noop"]);
        Assert.Equal(2.0 / 3, score.PerAction["left"]!.Value, 10);
        Assert.Null(score.PerAction["up"]);
        Assert.Equal(1.0, score.PerAction["right"]);
        Assert.Equal(0.5, score.PerAction["fire"]);
        Assert.Equal(1, score.Confusion[1][3]);
        Assert.Equal(1, score.Confusion[5][0]);
        Assert.Equal(8, score.Confusion.Sum(row => row.Sum()));
    }

    [Fact]
    public void Mismatched_or_out_of_vocabulary_labels_are_refused()
    {
        Assert.Throws<ArgumentException>(() => IdmLabeller.Score(new byte[3], new byte[2]));
        var error = Assert.Throws<ArgumentException>(() => IdmLabeller.Score([9], [0]));
        Assert.Contains("outside the shared vocabulary", error.Message, StringComparison.Ordinal);
    }
}
