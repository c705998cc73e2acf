using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace Alpt.Learning.Checkpoints;

/// <summary>
/// Saves and loads model weights (TorchSharp's state-dict format). Saving writes a temporary file
/// and renames it, so a crash never leaves a half-written checkpoint under the real name.
/// </summary>
public static class Checkpoint
{
    public static void Save(nn.Module model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temporary = full + $".tmp-{Environment.ProcessId}-{Guid.NewGuid():N}";
        try
        {
            model.save(temporary);
            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }

    /// <summary>Loads weights into a model of the same architecture; a missing or mismatched file gives a clear error.</summary>
    public static void Load(nn.Module model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Checkpoint '{path}' does not exist.", path);
        }

        try
        {
            model.load(path, strict: true);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException or ExternalException)
        {
            throw new InvalidDataException($"Checkpoint '{path}' does not fit a {model.GetName()} of this configuration: {e.Message}", e);
        }
    }
}
