using Alpt.Environments.Core;
using Alpt.Learning.Trials;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Alpt.Learning.Models;

/// <summary>
/// Inverse dynamics model: given the frames around transition t (frames t−k … t+1+k, where frame t
/// is observed before a_t and frame t+1 after it), predicts a_t. Each frame is encoded by a shared
/// conv encoder, a small bidirectional transformer mixes the window, and the outputs at frames t and
/// t+1 feed one action head per action vocabulary, so games with disjoint action ids train together
/// on one representation. With <see cref="IdmHyperparameters.MotionChannels"/> each frame is
/// encoded together with its difference to the next frame of the window, so the convolutions see
/// where something appeared and disappeared (the action's effect) locally instead of having to
/// compare two embeddings; this is what makes a small IDM learn to see in a few hundred steps.
/// </summary>
public sealed class InverseDynamicsModel : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly IdmHyperparameters _config;
    private readonly FrameEncoder _encoder;
    private readonly Parameter _position;
    private readonly ModuleList<TransformerBlock> _blocks;
    private readonly LayerNorm _norm;
    private readonly Linear _heads;

    public InverseDynamicsModel(ObservationShape shape, IdmHyperparameters config, int vocabularies) : base(nameof(InverseDynamicsModel))
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentOutOfRangeException.ThrowIfLessThan(vocabularies, 1);
        _config = config;
        Shape = shape;
        Vocabularies = vocabularies;
        _encoder = new FrameEncoder(shape, EncoderChannels(shape, config), config.ConvChannels, config.Width);
        _position = nn.Parameter(randn(WindowFrames, config.Width) * 0.02);
        _blocks = nn.ModuleList([.. Enumerable.Range(0, config.Layers).Select(_ => new TransformerBlock(config.Width, config.Heads))]);
        _norm = nn.LayerNorm(2 * config.Width);
        _heads = nn.Linear(2 * config.Width, (long)vocabularies * ActionVocabulary.Size);
        RegisterComponents();
    }

    public ObservationShape Shape { get; }

    private static int EncoderChannels(ObservationShape shape, IdmHyperparameters config) => config.MotionChannels ? 2 * shape.Channels : shape.Channels;

    public int Vocabularies { get; }

    /// <summary>Frames per input window: k before, the two around the transition, k after.</summary>
    public int WindowFrames => (2 * _config.WindowEachSide) + 2;

    /// <summary>Multiply-accumulates of one sample's forward pass, counted analytically.</summary>
    public long MacsPerSample()
    {
        var w = WindowFrames;
        return (w * FrameEncoder.MacsPerFrame(Shape, EncoderChannels(Shape, _config), _config.ConvChannels, _config.Width)) +
            (_config.Layers * ((w * TransformerBlock.MacsPerToken(_config.Width)) + TransformerBlock.AttentionMacs(_config.Width, w))) +
            (2L * _config.Width * Vocabularies * ActionVocabulary.Size);
    }

    /// <summary>
    /// Logits with every action outside the sample's game's minimal set ruled out, so neither training
    /// nor labelling spends probability on an action the game does not have.
    /// </summary>
    /// <param name="allowed">[B, 6] or [6] bool: the actions each sample's game can take.</param>
    public Tensor forward(Tensor frames, Tensor vocabulary, Tensor allowed)
    {
        ArgumentNullException.ThrowIfNull(allowed);
        using var scope = NewDisposeScope();
        // A large finite value, not −∞: the softmax gives such an action zero weight without NaN risk.
        return forward(frames, vocabulary).masked_fill(allowed.logical_not(), -1e9f).MoveToOuterDisposeScope();
    }

    /// <param name="frames">[B, W, C, H, W] floats in 0..1.</param>
    /// <param name="vocabulary">[B] int64: which action head answers for each sample.</param>
    /// <returns>Logits [B, 6] of the selected heads.</returns>
    public override Tensor forward(Tensor frames, Tensor vocabulary)
    {
        using var scope = NewDisposeScope();
        var b = frames.shape[0];
        var w = frames.shape[1];
        // The encoder's input is built channels-last ([B, W, H, W, C] in memory), which it prefers.
        var input = frames.permute(0, 1, 3, 4, 2);
        if (_config.MotionChannels)
        {
            // Difference to the next frame (zero for the last one), stacked on the channel axis.
            var next = cat([input[.., 1..], input[.., ^1..]], 1);
            input = cat([input, next - input], 4);
        }

        var x = _encoder.forward(input.flatten(0, 1).permute(0, 3, 1, 2)).view(b, w, -1) + _position;
        foreach (var block in _blocks)
        {
            x = block.forward(x, null);
        }

        var k = _config.WindowEachSide;
        var around = cat([x[.., k], x[.., k + 1]], 1);
        var logits = _heads.forward(_norm.forward(around)).view(b, Vocabularies, ActionVocabulary.Size);
        var index = vocabulary.view(b, 1, 1).expand(b, 1, ActionVocabulary.Size);
        return logits.gather(1, index).squeeze(1).MoveToOuterDisposeScope();
    }
}
