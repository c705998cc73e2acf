using Alpt.Environments.Core;
using Alpt.Environments.Datasets;
using Alpt.Environments.Policies;

namespace Alpt.Environments.Tests;

public sealed class DatasetTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("alpt-env-tests-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static DatasetSpec Spec(string game = "breakout", int transitions = 3000, ulong seed = 7, double sticky = 0) =>
        new(game, "standard", transitions, BehaviourMix.Default, seed, StickyActions: sticky);

    [Fact]
    public void Generation_is_deterministic_and_follows_the_layout()
    {
        var a = DatasetGenerator.Generate(Spec(sticky: 0.25));
        var b = DatasetGenerator.Generate(Spec(sticky: 0.25));

        Assert.Equal(3000, a.TransitionCount);
        Assert.Equal(a.Frames, b.Frames);
        Assert.Equal(a.Actions, b.Actions);
        Assert.Equal(a.Rewards, b.Rewards);
        Assert.Equal(a.EpisodeStarts, b.EpisodeStarts);
        Assert.Equal(a.EpisodeBehaviour, b.EpisodeBehaviour);
        Assert.Equal((a.TransitionCount + a.EpisodeCount) * a.Shape.Length, a.Frames.Length);
        Assert.True(a.EpisodeCount > 1);
        Assert.Contains(a.EpisodeTerminated, terminated => terminated);

        var c = DatasetGenerator.Generate(Spec(seed: 8, sticky: 0.25));
        Assert.NotEqual(a.Actions, c.Actions);
        var unsticky = DatasetGenerator.Generate(Spec(sticky: 0));
        Assert.NotEqual(a.Frames, unsticky.Frames);
    }

    [Fact]
    public void The_frame_before_each_transition_is_what_the_game_showed()
    {
        var dataset = DatasetGenerator.Generate(Spec(transitions: 500));
        var game = GameCatalogue.Create("breakout");
        var buffer = new byte[game.ShapeAt().Length];
        var episode = 1;
        var start = dataset.EpisodeStarts[episode];
        game.Reset(GameRng.Derive(dataset.Spec.Seed, (ulong)episode));
        for (var t = start; t < dataset.EpisodeStarts[episode + 1]; t++)
        {
            game.Render(buffer);
            Assert.Equal(buffer, dataset.Frame(dataset.FrameBefore(t)).ToArray());
            var result = game.Step((GameAction)dataset.Actions[t]);
            Assert.Equal(result.Reward, dataset.Rewards[t]);
        }

        game.Render(buffer);
        Assert.Equal(buffer, dataset.Frame(dataset.FrameBefore(dataset.EpisodeStarts[episode + 1] - 1) + 1).ToArray());
    }

    [Fact]
    public void The_default_mix_spans_poor_to_good_play()
    {
        var dataset = DatasetGenerator.Generate(new DatasetSpec("freeway", "standard", 50_000, BehaviourMix.Default, 2));
        var returns = dataset.EpisodeReturns();
        double Mean(string behaviour)
        {
            var id = dataset.Spec.Behaviours.ToList().FindIndex(b => b.Name == behaviour);
            return Enumerable.Range(0, dataset.EpisodeCount).Where(e => dataset.EpisodeBehaviour[e] == id).Average(e => returns[e]);
        }

        var reference = ReferenceReturns.Get("freeway", "standard");
        Assert.True(reference.Normalize(Mean("random")) < 0.2);
        Assert.True(Mean("random") < Mean("eps-0.5"));
        Assert.True(Mean("eps-0.5") < Mean("expert"));
        Assert.True(reference.Normalize(Mean("expert")) > 0.8);
    }

    [Fact]
    public void Generation_reports_progress_honours_cancellation_and_upscales_frames()
    {
        var reports = new List<int>();
        var dataset = DatasetGenerator.Generate(Spec(transitions: 70_000) with { Scale = 2 }, new SynchronousProgress(reports.Add));

        Assert.Equal(new ObservationShape(3, 20, 20), dataset.Shape);
        Assert.Equal([65_536, 70_000], reports);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.Throws<OperationCanceledException>(() => DatasetGenerator.Generate(Spec(), null, cancelled.Token));
    }

    private sealed class SynchronousProgress(Action<int> report) : IProgress<int>
    {
        public void Report(int value) => report(value);
    }

    [Fact]
    public void A_dataset_survives_a_round_trip_through_its_file()
    {
        var dataset = DatasetGenerator.Generate(Spec());
        var path = Path.Combine(_directory, "d.alptds");

        var header = DatasetFile.Write(dataset, path);
        var back = DatasetFile.Read(path);

        Assert.Equal(dataset.Spec, back.Spec);
        Assert.Equal(dataset.Shape, back.Shape);
        Assert.Equal(dataset.Frames, back.Frames);
        Assert.Equal(dataset.Actions, back.Actions);
        Assert.Equal(dataset.Rewards, back.Rewards);
        Assert.Equal(dataset.EpisodeStarts, back.EpisodeStarts);
        Assert.Equal(dataset.EpisodeBehaviour, back.EpisodeBehaviour);
        Assert.Equal(dataset.EpisodeTerminated, back.EpisodeTerminated);
        Assert.Equal(64, header.Sha256.Length);
        Assert.Equal(header, DatasetFile.ReadHeader(path));
        Assert.Empty(Directory.GetFiles(_directory, "*.tmp"));
    }

    [Fact]
    public void A_flipped_payload_byte_is_reported_as_a_hash_mismatch()
    {
        var path = Path.Combine(_directory, "d.alptds");
        DatasetFile.Write(DatasetGenerator.Generate(Spec()), path);
        var bytes = File.ReadAllBytes(path);
        bytes[^10] ^= 0x40;
        File.WriteAllBytes(path, bytes);

        var error = Assert.Throws<DatasetFormatException>(() => DatasetFile.Read(path));

        Assert.Contains("hash mismatch", error.Message, StringComparison.Ordinal);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_damaged_header_is_caught_by_its_checksum()
    {
        var path = Path.Combine(_directory, "d.alptds");
        DatasetFile.Write(DatasetGenerator.Generate(Spec()), path);
        var bytes = File.ReadAllBytes(path);
        var text = System.Text.Encoding.UTF8.GetString(bytes);
        var at = text.IndexOf("\"seed\":7", StringComparison.Ordinal);
        Assert.True(at > 0);
        bytes[at + 7] = (byte)'8';
        File.WriteAllBytes(path, bytes);

        var error = Assert.Throws<DatasetFormatException>(() => DatasetFile.Read(path));

        Assert.Contains("header checksum mismatch", error.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(10)]
    [InlineData(100)]
    [InlineData(-5)]
    [InlineData(-5000)]
    public void A_truncated_file_is_reported_as_truncated(int keep)
    {
        var path = Path.Combine(_directory, "d.alptds");
        DatasetFile.Write(DatasetGenerator.Generate(Spec()), path);
        var bytes = File.ReadAllBytes(path);
        var length = keep >= 0 ? keep : bytes.Length + keep;
        File.WriteAllBytes(path, bytes[..length]);

        var error = Assert.Throws<DatasetFormatException>(() => DatasetFile.Read(path));

        Assert.Contains("truncated", error.Problem, StringComparison.Ordinal);
        Assert.Equal(path, error.FilePath);
    }

    [Fact]
    public void A_file_that_is_not_a_dataset_is_named_as_such()
    {
        var path = Path.Combine(_directory, "notes.txt");
        File.WriteAllText(path, "hello, this is not a dataset at all");

        var error = Assert.Throws<DatasetFormatException>(() => DatasetFile.Read(path));

        Assert.Contains("bad magic", error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_specs_are_rejected_with_the_reason()
    {
        Assert.Contains("Unknown game", Assert.Throws<ArgumentException>(() => DatasetGenerator.Generate(Spec(game: "pong"))).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => DatasetGenerator.Generate(Spec(transitions: 0)));
        Assert.Contains("Unknown variant", Assert.Throws<ArgumentException>(() => DatasetGenerator.Generate(Spec() with { Variant = "nightmare" })).Message, StringComparison.Ordinal);
    }
}
