using Alpt.Learning.Runtime;
using Alpt.Learning.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Alpt.Learning.Tests;

public sealed class TorchSharpSmokeTests
{
    [Fact]
    public void Native_library_loads_and_reports_the_backend_of_this_build()
    {
        var info = TorchRuntime.Describe();

        Assert.Equal(TorchRuntime.Backend, info.Backend);
        Assert.True(info.Threads >= 1);
        Assert.False(string.IsNullOrWhiteSpace(info.TorchSharpVersion));
        Assert.Equal(TorchRuntime.CudaDeviceCount(), info.CudaDevices);
        if (info.Backend == TorchBackend.Cpu)
        {
            Assert.False(info.CudaAvailable);
        }
    }

    [Fact]
    public void A_tiny_model_trained_for_a_few_steps_lowers_its_loss()
    {
        var (first, last, _) = TrainTinyModel(CPU);
        Assert.True(last < first * 0.2f, $"loss went from {first} to {last}");
    }

    /// <summary>Either backend: a CUDA device this build or machine cannot offer is refused saying why; one it can is resolved.</summary>
    [Fact]
    public void Cuda_devices_are_resolved_where_present_and_refused_with_the_reason_elsewhere()
    {
        var gpus = TorchRuntime.CudaDeviceCount();
        var error = Assert.Throws<InvalidOperationException>(() => TorchRuntime.ResolveDevice($"cuda:{gpus}"));
        var reason = TorchRuntime.Backend == TorchBackend.Cpu ? "AlptTorchBackend=cuda"
            : gpus == 0 ? "CUDA is not available"
            : $"this machine has {gpus} CUDA device(s)";
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        if (gpus > 0)
        {
            Assert.Equal(DeviceType.CUDA, TorchRuntime.ResolveDevice("cuda:0").type);
        }

        Assert.Throws<ArgumentException>(() => TorchRuntime.ResolveDevice("tpu"));
        Assert.Equal(DeviceType.CPU, TorchRuntime.ResolveDevice("cpu").type);
    }

    [CudaFact]
    public void A_tiny_model_trains_on_cuda_0()
    {
        var (first, last, devices) = TrainTinyModel(TorchRuntime.ResolveDevice("cuda:0"));
        Assert.All(devices, d => Assert.Equal(DeviceType.CUDA, d));
        Assert.True(last < first * 0.2f, $"loss went from {first} to {last} on cuda:0");
    }

    /// <summary>y = 3x − 2 plus a little noise, fitted by a two-layer MLP for 60 Adam steps on <paramref name="device"/>:
    /// the first and last loss, and where the parameters ended up.</summary>
    private static (float First, float Last, DeviceType[] ParameterDevices) TrainTinyModel(Device device)
    {
        torch.manual_seed(7);
        using var scope = NewDisposeScope();
        var x = (torch.rand(256, 1) * 4 - 2).to(device);
        var y = (3 * x) - 2 + (0.05 * torch.randn(256, 1).to(device));
        var model = nn.Sequential(nn.Linear(1, 16), nn.ReLU(), nn.Linear(16, 1));
        model.to(device);
        var optimizer = optim.Adam(model.parameters(), lr: 0.02);
        var mse = nn.MSELoss();
        float first = 0, last = 0;
        for (var step = 0; step < 60; step++)
        {
            using var stepScope = NewDisposeScope();
            optimizer.zero_grad();
            var loss = mse.forward(model.forward(x), y);
            loss.backward();
            optimizer.step();
            last = loss.item<float>();
            first = step == 0 ? last : first;
        }

        return (first, last, [.. model.parameters().Select(p => p.device_type)]);
    }
}
