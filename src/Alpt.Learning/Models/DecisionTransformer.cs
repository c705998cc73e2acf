using Alpt.Environments.Core;
using Alpt.Learning.Trials;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Alpt.Learning.Models;

/// <summary>
/// Decision Transformer (Chen et al., 2021): the last K steps as (return-to-go, observation, action)
/// token triples, a causal transformer, and the action a_t predicted from the observation token of
/// step t — which sees R_≤t, s_≤t and a_&lt;t but never a_t or anything later. Short histories are
/// left-padded; padded tokens are hidden from every real token.
/// <para>With <see cref="PolicyHyperparameters.TokensPerStep"/> = 1 each step is one token, the sum of
/// the embeddings of R_t, s_t and a_(t−1) (a learned "none" before the window's first step): the same
/// causal information as the three-token form — a_t is predicted from what R_≤t, s_≤t, a_&lt;t show —
/// with a third of the tokens, so the transformer costs a third and attention a ninth.</para>
/// </summary>
public sealed class DecisionTransformer : nn.Module<Tensor, Tensor, Tensor, Tensor, Tensor>
{
    private readonly PolicyHyperparameters _config;
    private readonly FrameEncoder _encoder;
    private readonly Linear _returnEmbedding;
    private readonly Embedding _actionEmbedding;
    private readonly Parameter _stepPosition;
    private readonly Parameter _tokenType;
    private readonly LayerNorm _inputNorm;
    private readonly ModuleList<TransformerBlock> _blocks;
    private readonly LayerNorm _norm;
    private readonly Linear _head;

    public DecisionTransformer(ObservationShape shape, PolicyHyperparameters config) : base(nameof(DecisionTransformer))
    {
        ArgumentNullException.ThrowIfNull(config);
        _config = config;
        Shape = shape;
        _encoder = new FrameEncoder(shape, shape.Channels, config.ConvChannels, config.Width);
        _returnEmbedding = nn.Linear(1, config.Width);
        // One token per step embeds the previous action, which before the window's first step is "none".
        _actionEmbedding = nn.Embedding(ActionVocabulary.Size + (config.TokensPerStep == 1 ? 1 : 0), config.Width);
        _stepPosition = nn.Parameter(randn(config.Context, config.Width) * 0.02);
        _tokenType = nn.Parameter(randn(config.TokensPerStep, config.Width) * 0.02);
        _inputNorm = nn.LayerNorm(config.Width);
        _blocks = nn.ModuleList([.. Enumerable.Range(0, config.Layers).Select(_ => new TransformerBlock(config.Width, config.Heads))]);
        _norm = nn.LayerNorm(config.Width);
        _head = nn.Linear(config.Width, ActionVocabulary.Size);
        RegisterComponents();
    }

    public ObservationShape Shape { get; }

    public int Context => _config.Context;

    /// <summary>3: (R, s, a) tokens per step; 1: one token per step.</summary>
    public int TokensPerStep => _config.TokensPerStep;

    /// <summary>Multiply-accumulates of one full-context sequence (K steps, 3K tokens), counted analytically.</summary>
    public long MacsPerSequence()
    {
        var k = _config.Context;
        var tokens = _config.TokensPerStep * k;
        return (k * FrameEncoder.MacsPerFrame(Shape, Shape.Channels, _config.ConvChannels, _config.Width)) +
            (_config.Layers * ((tokens * TransformerBlock.MacsPerToken(_config.Width)) + TransformerBlock.AttentionMacs(_config.Width, tokens))) +
            ((long)k * _config.Width * ActionVocabulary.Size);
    }

    /// <param name="returnsToGo">[B, K] scaled returns-to-go.</param>
    /// <param name="frames">[B, K, C, H, W] floats in 0..1.</param>
    /// <param name="actions">[B, K] int64 actions (values at padded steps are ignored).</param>
    /// <param name="valid">[B, K] bool: false for left padding.</param>
    /// <returns>Action logits [B, K, 6], one per step.</returns>
    public override Tensor forward(Tensor returnsToGo, Tensor frames, Tensor actions, Tensor valid)
    {
        using var scope = NewDisposeScope();
        var b = frames.shape[0];
        var k = frames.shape[1];
        var position = _stepPosition[..(int)k];
        if (_config.TokensPerStep == 1)
        {
            // a_(t−1) at step t; "none" where step t−1 is padding or before the window.
            var none = full(b, 1, ActionVocabulary.Size, ScalarType.Int64, actions.device);
            var previous = cat([none, actions[.., ..^1]], 1);
            var previousValid = cat([zeros(b, 1, ScalarType.Bool, valid.device), valid[.., ..^1]], 1);
            previous = where(previousValid, previous, none.expand(b, k));
            var step = _returnEmbedding.forward(returnsToGo.unsqueeze(-1)) +
                _encoder.forward(frames.flatten(0, 1)).view(b, k, -1) +
                _actionEmbedding.forward(previous) + position + _tokenType[0];
            var h = _inputNorm.forward(step);
            var stepMask = AttentionMask(valid, 1, h.device);
            foreach (var block in _blocks)
            {
                h = block.forward(h, stepMask);
            }

            return _head.forward(_norm.forward(h)).MoveToOuterDisposeScope();
        }

        var r = _returnEmbedding.forward(returnsToGo.unsqueeze(-1)) + position + _tokenType[0];
        var s = _encoder.forward(frames.flatten(0, 1)).view(b, k, -1) + position + _tokenType[1];
        var a = _actionEmbedding.forward(actions) + position + _tokenType[2];
        var x = _inputNorm.forward(stack([r, s, a], 2).view(b, 3 * k, -1));

        var mask = AttentionMask(valid, 3, x.device);
        foreach (var block in _blocks)
        {
            x = block.forward(x, mask);
        }

        var states = _norm.forward(x.view(b, k, 3, -1)[.., .., 1]);
        return _head.forward(states).MoveToOuterDisposeScope();
    }

    /// <summary>Causal mask over the nK tokens combined with a mask hiding padded keys: [B, 1, nK, nK].</summary>
    private static Tensor AttentionMask(Tensor valid, int tokensPerStep, Device device)
    {
        var b = valid.shape[0];
        var tokens = tokensPerStep * valid.shape[1];
        var causal = ones(tokens, tokens, ScalarType.Bool, device).tril();
        var keys = (tokensPerStep == 1 ? valid : valid.repeat_interleave(tokensPerStep, 1)).view(b, 1, 1, tokens);
        // A padded query still sees itself, so no row is fully hidden (no NaN from softmax).
        var self = eye(tokens, dtype: ScalarType.Bool, device: device);
        var visible = (causal & keys) | self;
        // Finite, not -inf: a large negative keeps softmax exact without NaN risks.
        return zeros(b, 1, tokens, tokens, device: device).masked_fill(visible.logical_not(), -1e9f);
    }
}
