using Alpt.Grid.Grains.Environments;
using Alpt.Grid.Silo.Storage;
using Azure.Storage.Blobs;

namespace Alpt.Grid.IntegrationTests;

public sealed class BlobArtifactTests
{
    [Fact]
    public async Task Artifacts_round_trip_through_azurite_blobs_and_a_tampered_one_is_caught_by_its_hash()
    {
        await using var azurite = await Azurite.StartAsync();
        var container = new BlobContainerClient(azurite.ConnectionString, "alpt-artifacts-test");
        var store = new BlobArtifactStore(container);
        byte[] content = [.. Enumerable.Range(0, 5000).Select(i => (byte)(i * 7))];

        var artifact = await store.PutAsync("datasets/breakout/standard/5000-mixed-s1.bin", content, CancellationToken.None);

        Assert.Equal(5000, artifact.Length);
        Assert.Equal(content, await store.GetAsync(artifact, CancellationToken.None));

        content[10] ^= 0xFF;
        await container.GetBlobClient(artifact.Name).UploadAsync(new BinaryData(content), overwrite: true);
        var error = await Assert.ThrowsAsync<CorruptArtifactException>(() => store.GetAsync(artifact, CancellationToken.None));
        Assert.Contains("SHA-256", error.Message, StringComparison.Ordinal);

        var missing = await Assert.ThrowsAsync<CorruptArtifactException>(() => store.GetAsync(artifact with { Name = "datasets/none.bin" }, CancellationToken.None));
        Assert.Contains("missing", missing.Message, StringComparison.Ordinal);
    }
}
