using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Orleans.Storage;

namespace Alpt.Grid.Silo.Storage;

/// <summary>
/// Grain state as one file per grain under a directory (the embedded mode's durable store). A write
/// goes to a temp file that is flushed to disk (fsync), renamed over the old one, and then the
/// directory is flushed too: a process killed mid-write leaves the previous state intact, and a machine
/// crash loses no write that was acknowledged. Each file starts with a version number that is the ETag: a write whose
/// ETag is not the stored one is rejected, as Orleans expects of any storage. One process owns the
/// directory (see <see cref="DataDirectoryLock"/>), so versions it has seen are cached to save a read
/// per write.
/// </summary>
/// <param name="flushToDisk">False skips both fsyncs (only for measuring what they cost: `alpt grid bench`).</param>
public sealed class DirectoryGrainStorage(string root, IGrainStorageSerializer serializer, bool flushToDisk = true) : IGrainStorage
{
    private const int HeaderBytes = sizeof(long);

    private readonly ConcurrentDictionary<string, long> versions = new(StringComparer.Ordinal);

    public string Root { get; } = Path.GetFullPath(root);

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var path = PathOf(stateName, grainId);
        byte[] bytes;
        try
        {
            bytes = await File.ReadAllBytesAsync(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            versions[path] = 0;
            grainState.State = Activator.CreateInstance<T>();
            grainState.ETag = null;
            grainState.RecordExists = false;
            return;
        }

        if (bytes.Length < HeaderBytes)
        {
            throw new InvalidDataException($"grain state file {path} is truncated ({bytes.Length} bytes)");
        }

        var version = BinaryPrimitives.ReadInt64LittleEndian(bytes);
        versions[path] = version;
        grainState.State = serializer.Deserialize<T>(new BinaryData(bytes.AsMemory(HeaderBytes)));
        grainState.ETag = version.ToString(CultureInfo.InvariantCulture);
        grainState.RecordExists = true;
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var path = PathOf(stateName, grainId);
        var stored = versions.TryGetValue(path, out var known) ? (known == 0 ? null : known) : await StoredVersion(path);
        CheckETag(path, stored, grainState.ETag);
        var next = (stored ?? 0) + 1;
        var payload = serializer.Serialize(grainState.State).ToMemory();
        var bytes = new byte[HeaderBytes + payload.Length];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, next);
        payload.Span.CopyTo(bytes.AsSpan(HeaderBytes));
        var directory = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(directory);
        var temp = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous))
            {
                await file.WriteAsync(bytes);
                // The bytes reach the disk before the name does: a machine crash after the rename finds them.
                file.Flush(flushToDisk);
            }

            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }

        // The rename itself is durable only once the directory entry is: until then a crash may bring back the old file.
        if (flushToDisk)
        {
            FlushDirectory(directory);
        }

        versions[path] = next;
        grainState.ETag = next.ToString(CultureInfo.InvariantCulture);
        grainState.RecordExists = true;
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var path = PathOf(stateName, grainId);
        CheckETag(path, versions.TryGetValue(path, out var known) ? (known == 0 ? null : known) : await StoredVersion(path), grainState.ETag);
        File.Delete(path);
        versions[path] = 0;
        grainState.ETag = null;
        grainState.RecordExists = false;
        grainState.State = Activator.CreateInstance<T>();
    }

    /// <summary>fsync of a directory (Linux, macOS): what makes a rename in it survive a machine crash. Windows has no such call; NTFS journals renames.</summary>
    private static void FlushDirectory(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        // .NET opens no handle on a directory, so open(2) it read-only, fsync(2) it, close(2) it.
        var fd = NativeMethods.open(directory, 0);
        if (fd < 0)
        {
            throw new IOException($"could not open directory {directory} to flush it to disk (errno {Marshal.GetLastPInvokeError()})");
        }

        try
        {
            if (NativeMethods.fsync(fd) != 0)
            {
                throw new IOException($"could not flush directory {directory} to disk (errno {Marshal.GetLastPInvokeError()})");
            }
        }
        finally
        {
            _ = NativeMethods.close(fd);
        }
    }

    private static class NativeMethods
    {
        [DllImport("libc", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
        public static extern int open(string path, int flags);

        [DllImport("libc", SetLastError = true)]
        public static extern int fsync(int fd);

        [DllImport("libc", SetLastError = true)]
        public static extern int close(int fd);
    }

    private static void CheckETag(string path, long? stored, string? expected)
    {
        var storedText = stored?.ToString(CultureInfo.InvariantCulture);
        if (storedText != expected)
        {
            throw new InconsistentStateException($"grain state {path} is at version {storedText ?? "(none)"}, the write expected {expected ?? "(none)"}", storedText, expected);
        }
    }

    private static async Task<long?> StoredVersion(string path)
    {
        try
        {
            await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, useAsync: false);
            var header = new byte[HeaderBytes];
            await file.ReadExactlyAsync(header);
            return BinaryPrimitives.ReadInt64LittleEndian(header);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>root/stateName/escaped-grain-id; long ids are shortened with a hash to stay under file name limits.</summary>
    private string PathOf(string stateName, GrainId grainId)
    {
        var name = Uri.EscapeDataString(grainId.ToString());
        if (name.Length > 180)
        {
            name = name[..100] + "~" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name)))[..32];
        }

        return Path.Combine(Root, Uri.EscapeDataString(stateName), name + ".state");
    }
}
