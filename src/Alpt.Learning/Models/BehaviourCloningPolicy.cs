using Alpt.Environments.Core;
using Alpt.Learning.Trials;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Alpt.Learning.Models;

/// <summary>
/// Behaviour cloning: the last few frames stacked on the channel axis (motion is visible), a conv
/// encoder and an MLP to action logits. The cheap alternative to the Decision Transformer.
/// </summary>
public sealed class BehaviourCloningPolicy : nn.Module<Tensor, Tensor>
{
    private readonly PolicyHyperparameters _config;
    private readonly FrameEncoder _encoder;
    private readonly Linear _hidden;
    private readonly Linear _head;

    public BehaviourCloningPolicy(ObservationShape shape, PolicyHyperparameters config) : base(nameof(BehaviourCloningPolicy))
    {
        ArgumentNullException.ThrowIfNull(config);
        _config = config;
        Shape = shape;
        _encoder = new FrameEncoder(shape, shape.Channels * config.FrameStack, config.ConvChannels, config.Width);
        _hidden = nn.Linear(config.Width, config.Width);
        _head = nn.Linear(config.Width, ActionVocabulary.Size);
        RegisterComponents();
    }

    public ObservationShape Shape { get; }

    public int FrameStack => _config.FrameStack;

    public long MacsPerSample() =>
        FrameEncoder.MacsPerFrame(Shape, Shape.Channels * _config.FrameStack, _config.ConvChannels, _config.Width) +
        ((long)_config.Width * _config.Width) + ((long)_config.Width * ActionVocabulary.Size);

    /// <param name="frames">[B, S, C, H, W] floats in 0..1, the oldest frame first.</param>
    public override Tensor forward(Tensor frames)
    {
        using var scope = NewDisposeScope();
        var x = nn.functional.relu(_encoder.forward(frames.flatten(1, 2)));
        return _head.forward(nn.functional.relu(_hidden.forward(x))).MoveToOuterDisposeScope();
    }
}
