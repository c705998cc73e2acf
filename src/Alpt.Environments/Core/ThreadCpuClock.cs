using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Alpt.Environments.Core;

/// <summary>
/// CPU time consumed by the calling thread. On a shared machine wall-clock throughput depends on what else
/// runs; CPU time measures what one core does. Linux reads CLOCK_THREAD_CPUTIME_ID; elsewhere the process's
/// CPU time stands in (a single-threaded benchmark makes the two close).
/// </summary>
public static partial class ThreadCpuClock
{
    private const int ClockThreadCpuTimeId = 3;

    public static double Seconds()
    {
        if (OperatingSystem.IsLinux() && ClockGetTime(ClockThreadCpuTimeId, out var time) == 0)
        {
            return time.Seconds + (time.Nanoseconds * 1e-9);
        }

        return Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clockId, out TimeSpec time);
}
