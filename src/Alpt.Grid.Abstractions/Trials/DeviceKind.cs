namespace Alpt.Grid.Abstractions.Trials;

/// <summary>
/// The kind of device a trial may run on. A sweep asks for one (<see cref="Any"/> by default); a worker
/// slot is <see cref="Cpu"/> or <see cref="Cuda"/> and leases only trials it can run.
/// </summary>
public enum DeviceKind
{
    /// <summary>Any slot may run it (what a sweep asks for unless it says otherwise).</summary>
    Any = 0,
    Cpu = 1,
    Cuda = 2,
}

/// <summary>Names, parsing and the leasing rule of <see cref="DeviceKind"/>: one place for each.</summary>
public static class DeviceKinds
{
    /// <summary>Every kind, in the order metrics and status list them.</summary>
    public static IReadOnlyList<DeviceKind> All { get; } = [DeviceKind.Any, DeviceKind.Cpu, DeviceKind.Cuda];

    /// <summary>The kinds a slot can be (a slot is never "any").</summary>
    public static IReadOnlyList<DeviceKind> SlotKinds { get; } = [DeviceKind.Cpu, DeviceKind.Cuda];

    /// <summary>The lower-case name used in specs, metrics labels and messages: any, cpu, cuda.</summary>
    public static string Name(this DeviceKind kind) => kind switch
    {
        DeviceKind.Any => "any",
        DeviceKind.Cpu => "cpu",
        DeviceKind.Cuda => "cuda",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a device kind"),
    };

    /// <summary>Parses any, cpu, cuda (gpu is another name for cuda); null when the text is none of them.</summary>
    public static DeviceKind? TryParse(string? text) => (text ?? "").Trim().ToLowerInvariant() switch
    {
        "any" => DeviceKind.Any,
        "cpu" => DeviceKind.Cpu,
        "cuda" or "gpu" => DeviceKind.Cuda,
        _ => null,
    };

    /// <summary>The kind of a device name: cpu, or cuda / cuda:N.</summary>
    public static DeviceKind OfDevice(string device)
    {
        ArgumentNullException.ThrowIfNull(device);
        return device.StartsWith("cuda", StringComparison.Ordinal) ? DeviceKind.Cuda : DeviceKind.Cpu;
    }

    /// <summary>
    /// Whether a slot of kind <paramref name="slot"/> may run a trial that asks for <paramref name="wanted"/>.
    /// A slot of kind <see cref="DeviceKind.Any"/> stands for a caller that takes everything (benchmarks).
    /// </summary>
    public static bool CanRun(this DeviceKind slot, DeviceKind wanted) => slot == DeviceKind.Any || wanted == DeviceKind.Any || wanted == slot;
}
