using System.Globalization;
using Alpt.Grid.Abstractions.Trials;
using Alpt.Learning.Runtime;

namespace Alpt.Grid.Silo.Workers;

/// <summary>What a slot plan is computed for: the cores of the machine and the GPUs it can see (and who said so).</summary>
public sealed record SlotHardware(int Cores, int VisibleGpus, string GpuSource)
{
    /// <summary>The variable that hides or renumbers GPUs for the CUDA runtime.</summary>
    public const string CudaVisibleDevices = "CUDA_VISIBLE_DEVICES";

    /// <summary>
    /// This machine: its cores, and the GPUs named by CUDA_VISIBLE_DEVICES when it is set (no hardware is
    /// touched), else those the CUDA runtime reports (the CUDA build only; none on the CPU build).
    /// </summary>
    public static SlotHardware Detect(int? gpus = null, int? cores = null)
    {
        var cpu = cores ?? Environment.ProcessorCount;
        if (gpus is { } given)
        {
            return new SlotHardware(cpu, given, "given");
        }

        if (VisibleByEnvironment(Environment.GetEnvironmentVariable(CudaVisibleDevices)) is { } visible)
        {
            return new SlotHardware(cpu, visible, $"{CudaVisibleDevices}={Environment.GetEnvironmentVariable(CudaVisibleDevices)}");
        }

        return TorchRuntime.Backend == TorchBackend.Cuda
            ? new SlotHardware(cpu, TorchRuntime.CudaDeviceCount(), "CUDA runtime")
            : new SlotHardware(cpu, 0, "cpu build: no CUDA runtime");
    }

    /// <summary>
    /// How many GPUs CUDA_VISIBLE_DEVICES makes visible, as the CUDA runtime reads it: indices or GPU/MIG
    /// UUIDs, up to the first entry that is neither (so "0,2" is two, "" and "-1" none); null when unset.
    /// </summary>
    public static int? VisibleByEnvironment(string? value)
    {
        if (value is null)
        {
            return null;
        }

        var count = 0;
        foreach (var entry in value.Split(',', StringSplitOptions.TrimEntries))
        {
            var valid = entry.StartsWith("GPU-", StringComparison.OrdinalIgnoreCase) || entry.StartsWith("MIG-", StringComparison.OrdinalIgnoreCase)
                || (entry.Length > 0 && int.TryParse(entry, NumberStyles.None, CultureInfo.InvariantCulture, out _));
            if (!valid)
            {
                break;
            }

            count++;
        }

        return count;
    }
}

/// <summary>
/// The slots a silo runs: each on its device with a CPU thread budget computed over all of the silo's
/// slots, so GPU and CPU slots together never ask for more threads than there are cores (unless there
/// are more slots than cores, which <see cref="Oversubscribed"/> says).
/// </summary>
/// <remarks>
/// A GPU trial's host side (batch sampling, kernel launches, rollouts) is mostly one thread, so with CPU
/// slots beside them GPU slots get one thread each and the CPU slots share the other cores; GPU slots
/// alone share all cores. Cores that do not divide evenly go to the first slots.
/// </remarks>
public sealed record SlotPlan(SlotSpec Spec, int SlotsPerGpu, SlotHardware Hardware, IReadOnlyList<WorkerSlot> Slots)
{
    public const int MaxSlotsPerGpu = 64;

    /// <summary>Builds the plan; an <see cref="ArgumentException"/> for a spec that is malformed, an <see cref="InvalidOperationException"/> for one the hardware cannot satisfy.</summary>
    public static SlotPlan Create(string? slots, int slotsPerGpu, SlotHardware hardware)
    {
        ArgumentNullException.ThrowIfNull(hardware);
        var spec = SlotSpec.Parse(slots);
        if (slotsPerGpu is < 1 or > MaxSlotsPerGpu)
        {
            throw new ArgumentException($"slots per GPU {slotsPerGpu} must be in 1..{MaxSlotsPerGpu}");
        }

        var devices = new List<string>();
        if (spec.CpuPerCore)
        {
            devices.AddRange(Enumerable.Repeat("cpu", Math.Max(1, hardware.Cores)));
        }

        foreach (var term in spec.Terms)
        {
            switch (term)
            {
                case { Kind: DeviceKind.Cpu }:
                    devices.AddRange(Enumerable.Repeat("cpu", term.Count ?? 1));
                    break;
                case { Device: { } index }:
                    devices.AddRange(Enumerable.Repeat(Cuda(index), term.Count ?? slotsPerGpu));
                    break;
                default:
                    var gpus = term.Count ?? hardware.VisibleGpus;
                    if (gpus < 1)
                    {
                        throw new InvalidOperationException(
                            $"worker slots '{spec.Text}': one slot per visible GPU was asked for, but no GPU is visible ({hardware.GpuSource})");
                    }

                    devices.AddRange(Enumerable.Range(0, gpus).SelectMany(i => Enumerable.Repeat(Cuda(i), slotsPerGpu)));
                    break;
            }
        }

        if (devices.Count > SlotSpec.Limit)
        {
            throw new ArgumentException($"worker slots '{spec.Text}' make {devices.Count} slots; at most {SlotSpec.Limit}");
        }

        var threads = Budget(devices, hardware.Cores);
        return new SlotPlan(spec, slotsPerGpu, hardware, [.. devices.Select((d, i) => new WorkerSlot(i, d, threads[i]))]);
    }

    /// <summary>The plan for a silo's options on this machine.</summary>
    public static SlotPlan For(Configuration.GridSiloOptions options, SlotHardware? hardware = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Create(options.Slots, options.SlotsPerGpu, hardware ?? SlotHardware.Detect());
    }

    /// <summary>Threads of all slots together exceed the cores: more slots than cores.</summary>
    public bool Oversubscribed => Slots.Sum(s => s.Threads) > Math.Max(1, Hardware.Cores);

    /// <summary>Slots by device kind, e.g. cpu → 4, cuda → 2.</summary>
    public IReadOnlyDictionary<DeviceKind, int> SlotsByKind =>
        Slots.GroupBy(s => s.Kind).ToDictionary(g => g.Key, g => g.Count());

    /// <summary>The plan as text (what `alpt grid slots` prints and a silo logs at start): a line per slot, then a summary.</summary>
    public IReadOnlyList<string> Describe()
    {
        var lines = new List<string> { $"{"slot",-5} {"device",-8} threads" };
        lines.AddRange(Slots.Select(s => $"{s.Index,-5} {s.Device,-8} {s.Threads}"));
        lines.Add(Summary());
        return lines;
    }

    /// <summary>One line: slots by kind, cores, GPUs and where their count came from.</summary>
    public string Summary()
    {
        var kinds = Slots.Count == 0 ? "no slots (coordinator only)"
            : string.Join(", ", SlotsByKind.OrderBy(k => k.Key).Select(k => $"{k.Value} {k.Key.Name()}"));
        var gpu = Slots.Any(s => s.Kind == DeviceKind.Cuda) || Spec.NeedsGpuCount
            ? $"; {Hardware.VisibleGpus} GPU(s) visible ({Hardware.GpuSource}), {SlotsPerGpu} slot(s) per GPU"
            : "";
        var over = Oversubscribed ? $"; oversubscribed: {Slots.Count} slots on {Hardware.Cores} cores" : "";
        var spec = Spec.CpuPerCore ? "slots (unset: one CPU slot per core)" : $"slots '{Spec.Text}'";
        return $"{spec}: {kinds} on {Hardware.Cores} core(s){gpu}{over}";
    }

    private static string Cuda(int index) => "cuda:" + index.ToString(CultureInfo.InvariantCulture);

    private static int[] Budget(List<string> devices, int cores)
    {
        var threads = new int[devices.Count];
        var cpu = Enumerable.Range(0, devices.Count).Where(i => devices[i] == "cpu").ToArray();
        var gpu = Enumerable.Range(0, devices.Count).Where(i => devices[i] != "cpu").ToArray();
        cores = Math.Max(1, cores);
        if (cpu.Length == 0)
        {
            Share(gpu, cores);
        }
        else
        {
            foreach (var i in gpu)
            {
                threads[i] = 1;
            }

            Share(cpu, cores - gpu.Length);
        }

        return threads;

        void Share(int[] slots, int total)
        {
            for (var k = 0; k < slots.Length; k++)
            {
                threads[slots[k]] = Math.Max(1, (total / slots.Length) + (k < total % slots.Length ? 1 : 0));
            }
        }
    }
}
