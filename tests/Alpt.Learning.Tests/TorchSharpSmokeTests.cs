using Alpt.Learning.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Alpt.Learning.Tests;

public sealed class TorchSharpSmokeTests
{
    [Fact]
    public void Native_library_loads_and_reports_the_cpu_backend()
    {
        var info = TorchRuntime.Describe();

        Assert.Equal(TorchBackend.Cpu, info.Backend);
        Assert.True(info.Threads >= 1);
        Assert.False(string.IsNullOrWhiteSpace(info.TorchSharpVersion));
    }

    [Fact]
    public void A_tiny_model_trained_for_a_few_steps_lowers_its_loss()
    {
        torch.manual_seed(7);
        using var scope = NewDisposeScope();
        // y = 3x - 2 plus a little noise, fitted by a two-layer MLP.
        var x = torch.rand(256, 1) * 4 - 2;
        var y = 3 * x - 2 + 0.05 * torch.randn(256, 1);
        var model = nn.Sequential(nn.Linear(1, 16), nn.ReLU(), nn.Linear(16, 1));
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
            var value = loss.item<float>();
            if (step == 0)
            {
                first = value;
            }

            last = value;
        }

        Assert.True(last < first * 0.2f, $"loss went from {first} to {last}");
    }

    [Fact]
    public void Cuda_devices_are_refused_with_a_clear_message_on_a_cpu_build()
    {
        var error = Assert.Throws<InvalidOperationException>(() => TorchRuntime.ResolveDevice("cuda:0"));
        Assert.Contains("AlptTorchBackend=cuda", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => TorchRuntime.ResolveDevice("tpu"));
        Assert.Equal(DeviceType.CPU, TorchRuntime.ResolveDevice("cpu").type);
    }
}
