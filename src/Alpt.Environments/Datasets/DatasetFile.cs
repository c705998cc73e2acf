using System.Buffers.Binary;
using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Alpt.Environments.Core;

namespace Alpt.Environments.Datasets;

/// <summary>What a dataset file's header records: the generating spec, sizes, and the payload's SHA-256.</summary>
public sealed record DatasetHeader(
    int FormatVersion,
    DatasetSpec Spec,
    ObservationShape Shape,
    int Transitions,
    int Episodes,
    long PayloadBytes,
    string Compression,
    string Sha256);

/// <summary>
/// The dataset file format. Layout: "ALPTDSET" magic, format version (int32 LE), header length (int32 LE),
/// the UTF-8 JSON <see cref="DatasetHeader"/>, the SHA-256 of those header bytes (so a damaged spec is caught
/// too), then the payload: zlib-compressed sections (actions as
/// bytes, rewards as float32 LE, episode starts as int32 LE, behaviour ids, terminal flags, frames).
/// The header's SHA-256 covers the stored payload, so corruption is caught before anything is decoded;
/// files are written to a temporary name and renamed, so a reader never sees half a file.
/// </summary>
public static class DatasetFile
{
    // 2: behaviours carry the expert's sight (version 1 files were all played by clairvoyant experts).
    public const int FormatVersion = 2;
    private const int PrefixLength = 16;
    private const int MaxHeaderLength = 1 << 20;
    private const int HeaderHashLength = 32;
    private static readonly byte[] Magic = "ALPTDSET"u8.ToArray();
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    /// <summary>Writes <paramref name="dataset"/> to <paramref name="path"/> (atomically) and returns its header.</summary>
    public static DatasetHeader Write(TrajectoryDataset dataset, string path)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentException.ThrowIfNullOrEmpty(path);
        EnsureLittleEndian();
        using var payload = new MemoryStream();
        using (var zlib = new ZLibStream(payload, CompressionLevel.Fastest, leaveOpen: true))
        {
            zlib.Write(dataset.Actions);
            zlib.Write(MemoryMarshal.AsBytes(dataset.Rewards.AsSpan()));
            zlib.Write(MemoryMarshal.AsBytes(dataset.EpisodeStarts.AsSpan()));
            zlib.Write(dataset.EpisodeBehaviour);
            zlib.Write(MemoryMarshal.AsBytes(dataset.EpisodeTerminated.AsSpan()));
            zlib.Write(dataset.Frames);
        }

        var stored = payload.GetBuffer().AsSpan(0, (int)payload.Length);
        var header = new DatasetHeader(
            FormatVersion,
            dataset.Spec,
            dataset.Shape,
            dataset.TransitionCount,
            dataset.EpisodeCount,
            stored.Length,
            "zlib",
            Convert.ToHexStringLower(SHA256.HashData(stored)));
        var headerBytes = JsonSerializer.SerializeToUtf8Bytes(header, JsonOptions);
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        var temporary = $"{full}.{Guid.NewGuid():N}.tmp";
        try
        {
            using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                Span<byte> prefix = stackalloc byte[PrefixLength];
                Magic.CopyTo(prefix);
                BinaryPrimitives.WriteInt32LittleEndian(prefix[8..], FormatVersion);
                BinaryPrimitives.WriteInt32LittleEndian(prefix[12..], headerBytes.Length);
                file.Write(prefix);
                file.Write(headerBytes);
                file.Write(SHA256.HashData(headerBytes));
                file.Write(stored);
                file.Flush(flushToDisk: true);
            }

            File.Move(temporary, full, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }

        return header;
    }

    /// <summary>Reads only the header (no hash check): spec and sizes of a dataset file.</summary>
    public static DatasetHeader ReadHeader(string path)
    {
        using var file = OpenRead(path);
        return ReadHeader(file, path);
    }

    /// <summary>Reads and validates a dataset file; <see cref="DatasetFormatException"/> says what is wrong.</summary>
    public static TrajectoryDataset Read(string path)
    {
        EnsureLittleEndian();
        using var file = OpenRead(path);
        var header = ReadHeader(file, path);
        var payload = new byte[header.PayloadBytes];
        file.ReadExactly(payload);
        var hash = Convert.ToHexStringLower(SHA256.HashData(payload));
        if (!string.Equals(hash, header.Sha256, StringComparison.Ordinal))
        {
            throw new DatasetFormatException(path, $"content hash mismatch (header {header.Sha256}, payload {hash}): the file is corrupt.");
        }

        var t = header.Transitions;
        var e = header.Episodes;
        var frameBytes = (long)(t + e) * header.Shape.Length;
        if (t <= 0 || e <= 0 || e > t || header.Shape.Length <= 0 || frameBytes > Array.MaxLength)
        {
            throw new DatasetFormatException(path, $"the header's sizes are inconsistent ({t} transitions, {e} episodes, frame {header.Shape}).");
        }

        var actions = new byte[t];
        var rewards = new float[t];
        var starts = new int[e + 1];
        var behaviour = new byte[e];
        var terminated = new bool[e];
        var frames = new byte[frameBytes];
        try
        {
            using var zlib = new ZLibStream(new MemoryStream(payload, writable: false), CompressionMode.Decompress);
            zlib.ReadExactly(actions);
            zlib.ReadExactly(MemoryMarshal.AsBytes(rewards.AsSpan()));
            zlib.ReadExactly(MemoryMarshal.AsBytes(starts.AsSpan()));
            zlib.ReadExactly(behaviour);
            zlib.ReadExactly(MemoryMarshal.AsBytes(terminated.AsSpan()));
            zlib.ReadExactly(frames);
            if (zlib.ReadByte() != -1)
            {
                throw new DatasetFormatException(path, "the payload holds more data than its header describes.");
            }

            return new TrajectoryDataset(header.Spec, header.Shape, frames, actions, rewards, starts, behaviour, terminated);
        }
        catch (Exception ex) when (ex is InvalidDataException or EndOfStreamException or ArgumentException && ex is not DatasetFormatException)
        {
            throw new DatasetFormatException(path, $"the payload does not decode as the header describes ({ex.Message}).", ex);
        }
    }

    private static FileStream OpenRead(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Dataset file '{path}' does not exist.", path);
        }

        return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
    }

    private static DatasetHeader ReadHeader(FileStream file, string path)
    {
        var length = file.Length;
        Span<byte> prefix = stackalloc byte[PrefixLength];
        if (length < PrefixLength)
        {
            throw new DatasetFormatException(path, $"truncated: {length} bytes, shorter than the {PrefixLength}-byte prefix.");
        }

        file.ReadExactly(prefix);
        if (!prefix[..8].SequenceEqual(Magic))
        {
            throw new DatasetFormatException(path, "not an ALPT dataset (bad magic bytes).");
        }

        var version = BinaryPrimitives.ReadInt32LittleEndian(prefix[8..]);
        if (version != FormatVersion)
        {
            throw new DatasetFormatException(path, $"format version {version} is not supported (this build reads {FormatVersion}).");
        }

        var headerLength = BinaryPrimitives.ReadInt32LittleEndian(prefix[12..]);
        if (headerLength is <= 0 or > MaxHeaderLength)
        {
            throw new DatasetFormatException(path, $"corrupt header length {headerLength}.");
        }

        if (length < PrefixLength + headerLength + HeaderHashLength)
        {
            throw new DatasetFormatException(path, $"truncated: the header and its checksum need {headerLength + HeaderHashLength} bytes, the file has {length - PrefixLength} after the prefix.");
        }

        var headerBytes = new byte[headerLength];
        file.ReadExactly(headerBytes);
        Span<byte> headerHash = stackalloc byte[HeaderHashLength];
        file.ReadExactly(headerHash);
        if (!headerHash.SequenceEqual(SHA256.HashData(headerBytes)))
        {
            throw new DatasetFormatException(path, "header checksum mismatch: the header (spec, sizes or hash) is corrupt.");
        }

        DatasetHeader? header;
        try
        {
            header = JsonSerializer.Deserialize<DatasetHeader>(headerBytes, JsonOptions);
        }
        catch (JsonException ex)
        {
            throw new DatasetFormatException(path, $"corrupt header ({ex.Message}): {Encoding.UTF8.GetString(headerBytes.AsSpan(0, Math.Min(80, headerLength)))}...", ex);
        }

        if (header?.Spec?.Behaviours is null || header.Sha256 is null || header.PayloadBytes < 0)
        {
            throw new DatasetFormatException(path, "corrupt header: spec, payload size or hash missing.");
        }

        var expected = PrefixLength + headerLength + HeaderHashLength + header.PayloadBytes;
        if (length < expected)
        {
            throw new DatasetFormatException(path, $"truncated: the payload should be {header.PayloadBytes} bytes, the file holds {length - PrefixLength - headerLength - HeaderHashLength}.");
        }

        if (length > expected)
        {
            throw new DatasetFormatException(path, $"{length - expected} unexpected bytes after the payload.");
        }

        return header;
    }

    private static void EnsureLittleEndian()
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("Dataset files are read and written on little-endian machines only.");
        }
    }
}
