namespace Alpt.Grid.Console.Tests;

/// <summary>`alpt sweep status` of a sweep asking for a device kind that no live worker offers says so.</summary>
public sealed class SweepDeviceStatusTests : IDisposable
{
    private const string Spec = """
        name: wants-cuda
        preset: smoke
        targets: [freeway]
        budgets: [100]
        methods: [idm-target]
        seeds: 2
        device: cuda
        """;

    private readonly AlptSandbox sandbox = new();

    public void Dispose() => sandbox.Dispose();

    [Fact]
    public void Status_of_a_cuda_sweep_that_no_worker_can_run_says_its_trials_wait_for_cuda_slots()
    {
        File.WriteAllText(sandbox.PathOf("wants-cuda.yaml"), Spec);

        // Launched into the embedded grid with no `sweep run` hosting it: a silo without slots.
        var (launchExit, launchOutput) = AlptProcess.Run(sandbox, "sweep", "launch", "wants-cuda.yaml");
        var (statusExit, statusOutput) = AlptProcess.Run(sandbox, "sweep", "status", "wants-cuda");

        Assert.True(launchExit == 0, launchOutput);
        Assert.True(statusExit == 0, statusOutput);
        var status = AlptProcess.Unwrapped(statusOutput);
        Assert.Contains("running", status, StringComparison.Ordinal);
        Assert.Contains("waiting no live worker offers cuda slots (no live worker has any slots)", status, StringComparison.Ordinal);
    }
}
