using Alpt.Grid.Silo.Storage;
using Orleans.Storage;

namespace Alpt.Grid.Silo.Tests;

public sealed class StorageTests : IDisposable
{
    private readonly string root = Path.Combine(Path.GetTempPath(), "alpt-storage-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task State_written_by_one_instance_is_read_by_the_next_with_its_etag()
    {
        var grain = GrainId.Create("seed", "exp-1/0");
        var first = new DirectoryGrainStorage(root, new JsonStateSerializer());
        var state = new GrainState<Dictionary<string, int>>(new() { ["a"] = 1 });
        await first.WriteStateAsync("seed", grain, state);
        state.State!["a"] = 2;
        await first.WriteStateAsync("seed", grain, state);

        var reopened = new DirectoryGrainStorage(root, new JsonStateSerializer());
        var read = new GrainState<Dictionary<string, int>>();
        await reopened.ReadStateAsync("seed", grain, read);

        Assert.True(read.RecordExists);
        Assert.Equal(2, read.State!["a"]);
        Assert.Equal(state.ETag, read.ETag);
        Assert.Empty(Directory.EnumerateFiles(root, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_write_with_a_stale_etag_is_rejected_and_leaves_the_stored_state()
    {
        var grain = GrainId.Create("seed", "exp-2/0");
        var storage = new DirectoryGrainStorage(root, new JsonStateSerializer());
        var writer = new GrainState<Dictionary<string, int>>(new() { ["v"] = 1 });
        await storage.WriteStateAsync("seed", grain, writer);
        var stale = new GrainState<Dictionary<string, int>>(new() { ["v"] = 99 }) { ETag = null };

        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("seed", grain, stale));

        var read = new GrainState<Dictionary<string, int>>();
        await storage.ReadStateAsync("seed", grain, read);
        Assert.Equal(1, read.State!["v"]);
    }

    [Fact]
    public async Task A_missing_grain_reads_as_a_fresh_state()
    {
        var storage = new DirectoryGrainStorage(root, new JsonStateSerializer());
        var read = new GrainState<Dictionary<string, int>>();
        await storage.ReadStateAsync("seed", GrainId.Create("seed", "none"), read);
        Assert.False(read.RecordExists);
        Assert.Null(read.ETag);
        Assert.Empty(read.State!);
    }

    private sealed class JsonStateSerializer : IGrainStorageSerializer
    {
        public BinaryData Serialize<T>(T? input) => BinaryData.FromObjectAsJson(input);

        public T Deserialize<T>(BinaryData input) => input.ToObjectFromJson<T>()!;
    }
}
