using Alpt.Learning.Runtime;

namespace Alpt.Learning.Tests.Support;

/// <summary>
/// A test that needs a CUDA device. It runs wherever this build has the CUDA backend and sees a GPU;
/// elsewhere it is reported as skipped with the reason (the build's backend, the GPUs visible), so a
/// run's output says which CUDA tests did not run instead of passing them silently.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class CudaFactAttribute : FactAttribute
{
    public CudaFactAttribute()
    {
        if (TorchRuntime.CudaDeviceCount() == 0)
        {
            Skip = $"NOT RUN: needs a CUDA device; this build's backend is {TorchRuntime.Backend.ToString().ToLowerInvariant()} and sees no GPU "
                + "(build with -p:AlptTorchBackend=cuda on a GPU machine: scripts/gpu-check)";
        }
    }
}
