using Microsoft.Extensions.Hosting;

namespace Alpt.Grid.Silo.Storage;

/// <summary>
/// Holds an exclusive lock on the embedded data directory while the silo runs, so two processes never
/// write the same grain files (a second `alpt sweep run` fails at start with a clear message). The OS
/// releases the lock when the process dies, even by SIGKILL.
/// </summary>
public sealed class DataDirectoryLock(string directory) : IHostedService, IDisposable
{
    private FileStream? held;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "silo.lock");
        try
        {
            held = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e)
        {
            throw new InvalidOperationException($"the grid data directory {Path.GetFullPath(directory)} is in use by another process (an embedded silo is already running there)", e);
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// Whether a running silo holds the lock on <paramref name="directory"/>: the one reliable sign that
    /// this data directory is being hosted (a gateway port that answers may belong to anyone).
    /// </summary>
    public static bool IsHeld(string directory)
    {
        var path = Path.Combine(directory, "silo.lock");
        if (!File.Exists(path))
        {
            return false;
        }

        try
        {
            using var probe = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        held?.Dispose();
        held = null;
    }
}
