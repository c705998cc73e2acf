using System.Globalization;
using Alpt.Learning.Runtime;

namespace Alpt.Grid.Silo.Workers;

/// <summary>One place a trial can run: a CPU slot or a CUDA device.</summary>
public sealed record WorkerSlot(int Index, string Device)
{
    /// <summary>
    /// Parses "cpu*N", "cpu" (one), "cuda:0,cuda:1", "none"/"0" (a coordinator with no slots), or empty
    /// (one CPU slot per core).
    /// </summary>
    public static IReadOnlyList<WorkerSlot> Parse(string? text)
    {
        var trimmed = (text ?? "").Trim().ToLowerInvariant();
        if (trimmed.Length == 0)
        {
            return Cpu(Environment.ProcessorCount);
        }

        if (trimmed is "none" or "0")
        {
            return [];
        }

        var devices = new List<string>();
        foreach (var part in trimmed.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var star = part.IndexOf('*', StringComparison.Ordinal);
            var device = star < 0 ? part : part[..star].Trim();
            var count = 1;
            if (star >= 0 && (!int.TryParse(part.AsSpan(star + 1), NumberStyles.None, CultureInfo.InvariantCulture, out count) || count < 1 || count > 1024))
            {
                throw new ArgumentException($"worker slots '{text}': '{part}' should be DEVICE*N with 1 ≤ N ≤ 1024");
            }

            if (device != "cpu" && device != "cuda" && !device.StartsWith("cuda:", StringComparison.Ordinal))
            {
                throw new ArgumentException($"worker slots '{text}': device '{device}' is not cpu, cuda or cuda:N");
            }

            devices.AddRange(Enumerable.Repeat(device, count));
        }

        return [.. devices.Select((d, i) => new WorkerSlot(i, d))];
    }

    /// <summary>Fails with a clear message when a slot's device cannot be used on this machine (e.g. CUDA without a GPU).</summary>
    public static void CheckDevices(IEnumerable<WorkerSlot> slots)
    {
        foreach (var device in slots.Select(s => s.Device).Distinct(StringComparer.Ordinal).Where(d => d != "cpu"))
        {
            try
            {
                TorchRuntime.ResolveDevice(device);
            }
            catch (Exception e) when (e is InvalidOperationException or ArgumentException)
            {
                throw new InvalidOperationException($"worker slot device '{device}' cannot be used: {e.Message}", e);
            }
        }
    }

    private static WorkerSlot[] Cpu(int count) => [.. Enumerable.Range(0, Math.Max(1, count)).Select(i => new WorkerSlot(i, "cpu"))];
}
