using System.Reflection;
using TorchSharp;

namespace Alpt.Learning.Runtime;

/// <summary>Which TorchSharp native backend this build carries, chosen at build time (AlptTorchBackend).</summary>
public enum TorchBackend
{
    Cpu,
    Cuda,
}

/// <summary>What the loaded LibTorch offers: backend, version, threads and CUDA devices.</summary>
public sealed record TorchInfo(TorchBackend Backend, string TorchSharpVersion, int Threads, bool CudaAvailable, int CudaDevices);

/// <summary>Process-wide TorchSharp set-up: backend, thread count, devices.</summary>
public static class TorchRuntime
{
    /// <summary>The backend this assembly was built against.</summary>
    public static TorchBackend Backend { get; } = ReadBackend();

    /// <summary>Describes the loaded native library; loads it on first use.</summary>
    public static TorchInfo Describe()
    {
        var cuda = torch.cuda.is_available();
        return new TorchInfo(
            Backend,
            typeof(torch).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
                ?? typeof(torch).Assembly.GetName().Version?.ToString() ?? "unknown",
            torch.get_num_threads(),
            cuda,
            cuda ? torch.cuda.device_count() : 0);
    }

    /// <summary>
    /// The CUDA devices this process can use (the CUDA runtime already honours CUDA_VISIBLE_DEVICES); 0 on
    /// the CPU build, without loading the native library.
    /// </summary>
    public static int CudaDeviceCount() => Backend == TorchBackend.Cuda && torch.cuda.is_available() ? torch.cuda.device_count() : 0;

    /// <summary>
    /// Sets the intra-op thread count of this process (per worker, so concurrent trials do not
    /// oversubscribe cores).
    /// </summary>
    public static void SetThreads(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        torch.set_num_threads(threads);
    }

    /// <summary>
    /// Process-wide native set-up for training and inference, applied once: glibc keeps freed
    /// memory instead of page-faulting it back every step (see <see cref="NativeAllocator"/>).
    /// </summary>
    public static void PrepareForTraining() => NativeAllocator.RetainFreedMemory();

    /// <summary>Waits until every kernel queued on <paramref name="device"/> has run (a no-op on the CPU, where
    /// every operation has finished when it returns): timings of GPU work must wait for it to end.</summary>
    public static void Synchronize(torch.Device device)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (device.type == DeviceType.CUDA)
        {
            torch.cuda.synchronize(device);
        }
    }

    /// <summary>
    /// Parses a device name ("cpu", "cuda", "cuda:N") and checks it can be used here, with an error
    /// that says why not.
    /// </summary>
    public static torch.Device ResolveDevice(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var trimmed = name.Trim().ToLowerInvariant();
        if (trimmed == "cpu")
        {
            return torch.CPU;
        }

        if (trimmed == "cuda" || trimmed.StartsWith("cuda:", StringComparison.Ordinal))
        {
            var index = 0;
            if (trimmed.Length > 4 && (!int.TryParse(trimmed.AsSpan(5), out index) || index < 0))
            {
                throw new ArgumentException($"Device '{name}' is not valid: expected cpu, cuda or cuda:N with N ≥ 0.", nameof(name));
            }

            if (Backend != TorchBackend.Cuda)
            {
                throw new InvalidOperationException(
                    $"Device '{name}' needs the CUDA build of TorchSharp, but this build uses the {Backend.ToString().ToLowerInvariant()} backend " +
                    "(rebuild with -p:AlptTorchBackend=cuda on a machine with TorchSharp-cuda-linux).");
            }

            if (!torch.cuda.is_available())
            {
                throw new InvalidOperationException($"Device '{name}' was requested but CUDA is not available on this machine (no driver or no GPU).");
            }

            var count = torch.cuda.device_count();
            if (index >= count)
            {
                throw new InvalidOperationException($"Device '{name}' does not exist: this machine has {count} CUDA device(s).");
            }

            return torch.device(DeviceType.CUDA, index);
        }

        throw new ArgumentException($"Device '{name}' is not valid: expected cpu, cuda or cuda:N.", nameof(name));
    }

    private static TorchBackend ReadBackend()
    {
        var value = typeof(TorchRuntime).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "AlptTorchBackend")?.Value;
        return string.Equals(value, "cuda", StringComparison.OrdinalIgnoreCase) ? TorchBackend.Cuda : TorchBackend.Cpu;
    }
}
