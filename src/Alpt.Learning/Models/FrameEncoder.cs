using Alpt.Environments.Core;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Alpt.Learning.Models;

/// <summary>
/// Per-frame convolutional encoder: float frames [N, C, H, W] in 0..1 to embeddings [N, D].
/// Two 3×3 convolutions (the second with stride 2) then a linear projection: small enough for 10×10
/// frames, and a real visual front end, so a model must learn to see each game's palette.
/// </summary>
public sealed class FrameEncoder : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d _conv1;
    private readonly Conv2d _conv2;
    private readonly Linear _project;

    public FrameEncoder(ObservationShape shape, int inChannels, int channels, int embedding) : base(nameof(FrameEncoder))
    {
        _conv1 = nn.Conv2d(inChannels, channels, 3, padding: 1);
        _conv2 = nn.Conv2d(channels, 2 * channels, 3, stride: 2, padding: 1);
        var h = (shape.Height + 1) / 2;
        var w = (shape.Width + 1) / 2;
        _project = nn.Linear(2 * channels * h * w, embedding);
        RegisterComponents();
    }

    /// <summary>Multiply-accumulate count of one frame's forward pass (FLOPs = 2 × MACs).</summary>
    public static long MacsPerFrame(ObservationShape shape, int inChannels, int channels, int embedding)
    {
        long h = shape.Height, w = shape.Width, h2 = (h + 1) / 2, w2 = (w + 1) / 2;
        return (h * w * channels * inChannels * 9) + (h2 * w2 * 2 * channels * channels * 9) + (2 * channels * h2 * w2 * embedding);
    }

    /// <param name="input">[N, C, H, W]; fastest when already channels-last in memory (a permuted view of [N, H, W, C]).</param>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        // Channels-last throughout: the CPU convolution then skips its layout reorders, which on
        // 10×10 frames cost more than the arithmetic. ReLU in place: the convolution's backward
        // does not need its own output, so no extra activation is stored or read.
        var n = input.shape[0];
        var x = input.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);
        x = _conv1.forward(x).relu_();
        x = _conv2.forward(x).relu_();
        // x is [N, 2C, h, w] stored as [N, h, w, 2C]: flatten it in that order and read the
        // projection's weight (laid out for PyTorch's [2C, h, w] order) in the same order.
        var features = x.permute(0, 2, 3, 1).reshape(n, -1);
        var weight = _project.weight!;
        var projected = weight.view(weight.shape[0], x.shape[1], -1).transpose(1, 2).reshape(weight.shape[0], -1);
        return nn.functional.linear(features, projected, _project.bias).MoveToOuterDisposeScope();
    }
}
