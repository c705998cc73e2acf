using Alpt.Grid.Abstractions.Environments;
using Alpt.Grid.Grains.Environments;
using Azure;
using Azure.Storage.Blobs;

namespace Alpt.Grid.Silo.Storage;

/// <summary>Artifacts as blobs in one container (the cluster mode; Azurite locally).</summary>
public sealed class BlobArtifactStore(BlobContainerClient container) : IArtifactStore
{
    private int created;

    public async Task<ArtifactRef> PutAsync(string name, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        await EnsureContainer(cancellationToken);
        await container.GetBlobClient(name).UploadAsync(new BinaryData(content), overwrite: true, cancellationToken);
        return new ArtifactRef(name, content.Length, ArtifactHash.Of(content.Span));
    }

    public async Task<byte[]> GetAsync(ArtifactRef artifact, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(artifact);
        try
        {
            var download = await container.GetBlobClient(artifact.Name).DownloadContentAsync(cancellationToken);
            return ArtifactHash.Verify(artifact, download.Value.Content.ToArray());
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            throw new CorruptArtifactException($"artifact {artifact.Name} is missing from container {container.Name}");
        }
    }

    private async Task EnsureContainer(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref created) == 0)
        {
            await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
            Volatile.Write(ref created, 1);
        }
    }
}
