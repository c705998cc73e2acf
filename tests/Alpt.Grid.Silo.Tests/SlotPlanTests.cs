using Alpt.Grid.Abstractions.Trials;
using Alpt.Grid.Silo.Workers;
using Alpt.Learning.Runtime;

namespace Alpt.Grid.Silo.Tests;

/// <summary>Slot specs → slots on devices with CPU thread budgets, computed for given hardware (no GPU needed).</summary>
public sealed class SlotPlanTests
{
    private static SlotPlan Plan(string spec, int cores = 8, int gpus = 0, int perGpu = 1) =>
        SlotPlan.Create(spec, perGpu, new SlotHardware(cores, gpus, "test"));

    private static string Devices(SlotPlan plan) => string.Join(",", plan.Slots.Select(s => s.Device));

    private static string Threads(SlotPlan plan) => string.Join(",", plan.Slots.Select(s => s.Threads));

    [Theory]
    [InlineData("cpu*3", "cpu,cpu,cpu")]
    [InlineData("cpu", "cpu")]
    [InlineData("cuda*4", "cuda:0,cuda:1,cuda:2,cuda:3")]
    [InlineData("gpu*2", "cuda:0,cuda:1")]
    [InlineData("cuda:1*3", "cuda:1,cuda:1,cuda:1")]
    [InlineData("cuda:0, cuda:1", "cuda:0,cuda:1")]
    [InlineData("cuda*2,cpu*4", "cuda:0,cuda:1,cpu,cpu,cpu,cpu")]
    [InlineData("CPU*2,Cuda:0", "cpu,cpu,cuda:0")]
    [InlineData("none", "")]
    [InlineData("0", "")]
    public void Slot_specs_map_to_devices(string spec, string devices)
    {
        Assert.Equal(devices, Devices(Plan(spec)));
    }

    [Theory]
    [InlineData("cuda")]
    [InlineData("gpu")]
    public void A_bare_cuda_or_gpu_means_one_slot_per_visible_gpu(string spec)
    {
        Assert.Equal("cuda:0,cuda:1,cuda:2", Devices(Plan(spec, gpus: 3)));
        Assert.True(SlotSpec.Parse(spec).NeedsGpuCount);
    }

    [Fact]
    public void Slots_per_gpu_multiply_every_gpu_named_without_a_count()
    {
        Assert.Equal("cuda:0,cuda:0,cuda:1,cuda:1", Devices(Plan("gpu", gpus: 2, perGpu: 2)));
        Assert.Equal("cuda:0,cuda:0,cuda:1,cuda:1,cuda:2,cuda:2", Devices(Plan("cuda*3", perGpu: 2)));
        Assert.Equal("cuda:5,cuda:5,cuda:5", Devices(Plan("cuda:5", perGpu: 3)));
        // An explicit count on a device is the count of slots sharing it, whatever the default.
        Assert.Equal("cuda:1", Devices(Plan("cuda:1*1", perGpu: 3)));
    }

    [Fact]
    public void No_setting_means_one_cpu_slot_per_core_with_one_thread_each()
    {
        var plan = Plan("", cores: 6);
        Assert.Equal(6, plan.Slots.Count);
        Assert.All(plan.Slots, s => Assert.Equal(("cpu", 1), (s.Device, s.Threads)));
        Assert.Equal(Environment.ProcessorCount, SlotPlan.Create("", 1, SlotHardware.Detect()).Slots.Count);
    }

    [Fact]
    public void Cpu_slots_share_every_core_and_the_remainder_goes_to_the_first()
    {
        Assert.Equal("8,8", Threads(Plan("cpu*2", cores: 16)));
        Assert.Equal("3,3,2", Threads(Plan("cpu*3", cores: 8)));
        Assert.False(Plan("cpu*3", cores: 8).Oversubscribed);
    }

    [Fact]
    public void Gpu_slots_beside_cpu_slots_get_one_thread_and_the_cpu_slots_share_the_rest()
    {
        // The old budget (cores / CPU slots, GPU slots ignored) gave 16 + 4 × 4 = 32 threads on 16 cores.
        var plan = Plan("cuda*4,cpu*4", cores: 16);
        Assert.Equal("1,1,1,1,3,3,3,3", Threads(plan));
        Assert.Equal(16, plan.Slots.Sum(s => s.Threads));
        Assert.False(plan.Oversubscribed);
    }

    [Fact]
    public void Gpu_slots_alone_share_the_cores()
    {
        Assert.Equal("4,4", Threads(Plan("cuda*2", cores: 8)));
        Assert.Equal("2,2,2,1,1,1,1,1", Threads(Plan("gpu", cores: 11, gpus: 4, perGpu: 2)));
    }

    [Fact]
    public void More_slots_than_cores_get_one_thread_each_and_the_plan_says_it_is_oversubscribed()
    {
        var plan = Plan("cuda*2,cpu*4", cores: 2);
        Assert.All(plan.Slots, s => Assert.Equal(1, s.Threads));
        Assert.True(plan.Oversubscribed);
        Assert.Contains("oversubscribed: 6 slots on 2 cores", plan.Summary(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_plan_is_described_a_line_per_slot_with_device_and_threads_and_a_summary()
    {
        var lines = Plan("cuda:1*2,cpu*2", cores: 8, gpus: 2).Describe();

        Assert.Equal(6, lines.Count);
        Assert.Equal(["slot", "device", "threads"], lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(["1", "cuda:1", "1"], lines[2].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("2 cpu, 2 cuda on 8 core(s); 2 GPU(s) visible (test)", lines[^1], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0,2", 2)]
    [InlineData("3", 1)]
    [InlineData("GPU-8f1c2a7e-0000,GPU-11aa", 2)]
    [InlineData("", 0)]
    [InlineData("-1", 0)]
    [InlineData("0,1,-1,3", 2)]
    [InlineData("1,x,2", 1)]
    public void Cuda_visible_devices_counts_as_the_cuda_runtime_reads_it(string value, int visible)
    {
        Assert.Equal(visible, SlotHardware.VisibleByEnvironment(value));
        Assert.Null(SlotHardware.VisibleByEnvironment(null));
    }

    [Fact]
    public void A_bare_gpu_spec_where_no_gpu_is_visible_fails_naming_where_the_count_came_from()
    {
        var error = Assert.Throws<InvalidOperationException>(() => SlotPlan.Create("gpu", 1, new SlotHardware(4, 0, "CUDA_VISIBLE_DEVICES=")));
        Assert.Contains("worker slots 'gpu': one slot per visible GPU was asked for, but no GPU is visible (CUDA_VISIBLE_DEVICES=)", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("tpu", "device 'tpu' is not cpu, cuda, cuda:N or gpu")]
    [InlineData("cpu*0", "should be DEVICE*N")]
    [InlineData("cpu*x", "should be DEVICE*N")]
    [InlineData("cuda:x", "should be cuda:K")]
    [InlineData("cuda:-1", "should be cuda:K")]
    [InlineData("cpu:1", "a CPU slot has no device index")]
    [InlineData("cpu*2,,cuda", "an empty part")]
    [InlineData("cuda*2000", "should be DEVICE*N")]
    public void Bad_slot_specs_are_rejected_naming_the_spec_and_the_part(string spec, string problem)
    {
        var error = Assert.Throws<ArgumentException>(() => SlotSpec.Parse(spec));
        Assert.Contains($"worker slots '{spec}'", error.Message, StringComparison.Ordinal);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Too_many_slots_in_total_or_per_gpu_are_rejected()
    {
        Assert.Contains("at most 1024", Assert.Throws<ArgumentException>(() => Plan("cpu*1000,cpu*100")).Message, StringComparison.Ordinal);
        Assert.Contains("slots per GPU 0", Assert.Throws<ArgumentException>(() => Plan("cuda*2", perGpu: 0)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Slots_know_their_device_kind()
    {
        Assert.Equal([DeviceKind.Cuda, DeviceKind.Cpu], Plan("cuda:3,cpu").Slots.Select(s => s.Kind));
    }

    /// <summary>Runs on either backend: what a CUDA slot does here depends on the build and the GPUs present.</summary>
    [Fact]
    public void A_cuda_slot_is_checked_against_this_build_and_its_gpus()
    {
        var gpus = TorchRuntime.CudaDeviceCount();
        var usable = Plan($"cuda:{Math.Max(0, gpus - 1)}").Slots;
        var beyond = Plan($"cuda:{gpus}").Slots;

        var error = Assert.Throws<InvalidOperationException>(() => WorkerSlot.CheckDevices(beyond));
        Assert.Contains($"worker slot device 'cuda:{gpus}' cannot be used", error.Message, StringComparison.Ordinal);
        if (TorchRuntime.Backend == TorchBackend.Cpu)
        {
            Assert.Contains("AlptTorchBackend=cuda", error.Message, StringComparison.Ordinal);
        }
        else if (gpus == 0)
        {
            Assert.Contains("CUDA is not available", error.Message, StringComparison.Ordinal);
        }
        else
        {
            Assert.Contains($"this machine has {gpus} CUDA device(s)", error.Message, StringComparison.Ordinal);
            WorkerSlot.CheckDevices(usable);
        }
    }
}
