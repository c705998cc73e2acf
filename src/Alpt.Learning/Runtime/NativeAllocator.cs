using System.Runtime.InteropServices;

namespace Alpt.Learning.Runtime;

/// <summary>
/// Tunes glibc's allocator, which LibTorch allocates its CPU tensors with. By default glibc serves
/// blocks above a (moving) threshold with fresh mmap calls and returns freed memory at the top of the
/// heap to the kernel; a training step frees and re-allocates the same few megabytes of activations
/// every step, so each step page-faults and zero-fills them again (≈ 6,000 faults and 10–15% of a
/// CPU IDM step). Keeping freed memory in the heap ends that; it does not raise peak memory, it only
/// keeps what a step already used. No effect elsewhere (other C libraries, Windows, macOS).
/// </summary>
internal static partial class NativeAllocator
{
    // mallopt parameters (malloc.h).
    private const int TrimThreshold = -1;
    private const int MmapThreshold = -3;

    private static readonly Lazy<bool> Applied = new(Apply);

    /// <summary>Applies the settings once per process; true when glibc accepted them.</summary>
    public static bool RetainFreedMemory() => Applied.Value;

    private static bool Apply()
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        try
        {
            // 32 MiB is glibc's largest mmap threshold; freed memory is returned only above 1 GiB.
            return Mallopt(MmapThreshold, 32 << 20) == 1 & Mallopt(TrimThreshold, 1 << 30) == 1;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    [LibraryImport("libc", EntryPoint = "mallopt")]
    private static partial int Mallopt(int parameter, int value);
}
