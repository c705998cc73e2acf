using Alpt.Grid.Abstractions.Trials;
using Alpt.Learning.Runtime;

namespace Alpt.Grid.Silo.Workers;

/// <summary>
/// One place a trial can run: a CPU slot or a slot on a CUDA device, with the CPU threads its trials
/// may use (a share of the silo's cores computed over all its slots: <see cref="SlotPlan"/>).
/// </summary>
public sealed record WorkerSlot(int Index, string Device, int Threads)
{
    /// <summary>The kind of trials this slot can run besides those that take any device.</summary>
    public DeviceKind Kind => DeviceKinds.OfDevice(Device);

    /// <summary>Fails with a clear message when a slot's device cannot be used on this machine (e.g. CUDA without a GPU).</summary>
    public static void CheckDevices(IEnumerable<WorkerSlot> slots)
    {
        ArgumentNullException.ThrowIfNull(slots);
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
}
