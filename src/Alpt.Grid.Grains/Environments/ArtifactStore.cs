using System.Security.Cryptography;
using Alpt.Grid.Abstractions.Environments;

namespace Alpt.Grid.Grains.Environments;

/// <summary>Stores artifacts (datasets) by name; reads verify the SHA-256 recorded at write time.</summary>
public interface IArtifactStore
{
    Task<ArtifactRef> PutAsync(string name, ReadOnlyMemory<byte> content, CancellationToken cancellationToken);

    /// <summary>The bytes of <paramref name="artifact"/>; throws <see cref="CorruptArtifactException"/> when missing, truncated or altered.</summary>
    Task<byte[]> GetAsync(ArtifactRef artifact, CancellationToken cancellationToken);
}

/// <summary>An artifact whose bytes do not match its recorded hash or length (or that is missing).</summary>
public sealed class CorruptArtifactException(string message) : Exception(message)
{
    public CorruptArtifactException()
        : this("corrupt artifact")
    {
    }

    public CorruptArtifactException(string message, Exception inner)
        : this(message + ": " + inner.Message)
    {
    }
}

public static class ArtifactHash
{
    public static string Of(ReadOnlySpan<byte> content) => Convert.ToHexStringLower(SHA256.HashData(content));

    public static byte[] Verify(ArtifactRef artifact, byte[] content)
    {
        ArgumentNullException.ThrowIfNull(artifact);
        ArgumentNullException.ThrowIfNull(content);
        if (content.LongLength != artifact.Length)
        {
            throw new CorruptArtifactException($"artifact {artifact.Name} has {content.LongLength} bytes, expected {artifact.Length}");
        }

        var hash = Of(content);
        if (hash != artifact.Sha256)
        {
            throw new CorruptArtifactException($"artifact {artifact.Name} has SHA-256 {hash}, expected {artifact.Sha256}");
        }

        return content;
    }
}

/// <summary>Artifacts as files under one directory (the embedded mode); written to a temp file, then renamed.</summary>
public sealed class LocalArtifactStore(string root) : IArtifactStore
{
    public string Root { get; } = Path.GetFullPath(root);

    public async Task<ArtifactRef> PutAsync(string name, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var path = PathOf(name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = $"{path}.{Guid.NewGuid():N}.tmp";
        await File.WriteAllBytesAsync(temp, content.ToArray(), cancellationToken);
        File.Move(temp, path, overwrite: true);
        return new ArtifactRef(name, content.Length, ArtifactHash.Of(content.Span));
    }

    public async Task<byte[]> GetAsync(ArtifactRef artifact, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(artifact);
        var path = PathOf(artifact.Name);
        if (!File.Exists(path))
        {
            throw new CorruptArtifactException($"artifact {artifact.Name} is missing from {Root}");
        }

        return ArtifactHash.Verify(artifact, await File.ReadAllBytesAsync(path, cancellationToken));
    }

    private string PathOf(string name)
    {
        var path = Path.GetFullPath(Path.Combine(Root, name));
        if (!path.StartsWith(Root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new ArgumentException($"artifact name '{name}' leaves the artifact directory", nameof(name));
        }

        return path;
    }
}
