using Alpt.Grid.Silo.Workers;

namespace Alpt.Grid.Silo.Tests;

public sealed class WorkerSlotTests
{
    [Theory]
    [InlineData("cpu*3", "cpu,cpu,cpu")]
    [InlineData("cpu", "cpu")]
    [InlineData("cuda:0, cuda:1", "cuda:0,cuda:1")]
    [InlineData("cpu*2,cuda:0", "cpu,cpu,cuda:0")]
    [InlineData("none", "")]
    public void Slots_are_parsed(string text, string devices)
    {
        Assert.Equal(devices, string.Join(",", WorkerSlot.Parse(text).Select(s => s.Device)));
    }

    [Fact]
    public void No_setting_means_one_cpu_slot_per_core()
    {
        Assert.Equal(Environment.ProcessorCount, WorkerSlot.Parse("").Count);
    }

    [Theory]
    [InlineData("gpu")]
    [InlineData("cpu*0")]
    [InlineData("cpu*x")]
    public void Bad_slots_are_rejected_with_the_text(string text)
    {
        var error = Assert.Throws<ArgumentException>(() => WorkerSlot.Parse(text));
        Assert.Contains(text, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_cuda_slot_without_cuda_fails_with_a_clear_message()
    {
        var error = Assert.Throws<InvalidOperationException>(() => WorkerSlot.CheckDevices(WorkerSlot.Parse("cuda:0")));
        Assert.Contains("worker slot device 'cuda:0' cannot be used", error.Message, StringComparison.Ordinal);
        Assert.Contains("CUDA", error.Message, StringComparison.Ordinal);
    }
}
