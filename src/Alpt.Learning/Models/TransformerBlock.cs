using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Alpt.Learning.Models;

/// <summary>
/// Pre-norm transformer block (attention then a 4× MLP). The additive mask decides what each token
/// may see: none for the IDM's bidirectional window, causal for the Decision Transformer.
/// </summary>
public sealed class TransformerBlock : nn.Module<Tensor, Tensor?, Tensor>
{
    private readonly int _heads;
    private readonly LayerNorm _norm1;
    private readonly Linear _qkv;
    private readonly Linear _out;
    private readonly LayerNorm _norm2;
    private readonly Linear _up;
    private readonly Linear _down;

    public TransformerBlock(int width, int heads) : base(nameof(TransformerBlock))
    {
        if (width % heads != 0)
        {
            throw new ArgumentException($"Model width {width} is not divisible by {heads} attention heads.", nameof(heads));
        }

        _heads = heads;
        _norm1 = nn.LayerNorm(width);
        _qkv = nn.Linear(width, 3 * width);
        _out = nn.Linear(width, width);
        _norm2 = nn.LayerNorm(width);
        _up = nn.Linear(width, 4 * width);
        _down = nn.Linear(4 * width, width);
        RegisterComponents();
    }

    /// <summary>Multiply-accumulates per token, excluding attention scores (see <see cref="AttentionMacs"/>).</summary>
    public static long MacsPerToken(int width) => 12L * width * width;

    /// <summary>Multiply-accumulates of the score and mixing products for one sequence of <paramref name="tokens"/>.</summary>
    public static long AttentionMacs(int width, int tokens) => 2L * tokens * tokens * width;

    /// <param name="input">[B, T, D]</param>
    /// <param name="mask">Additive mask broadcastable to [B, heads, T, T] (0 = visible, large negative = hidden), or null.</param>
    public override Tensor forward(Tensor input, Tensor? mask)
    {
        using var scope = NewDisposeScope();
        var b = input.shape[0];
        var t = input.shape[1];
        var d = input.shape[2];
        var headWidth = d / _heads;
        var qkv = _qkv.forward(_norm1.forward(input)).view(b, t, 3, _heads, headWidth).permute(2, 0, 3, 1, 4);
        var q = qkv[0];
        var k = qkv[1];
        var v = qkv[2];
        var scores = matmul(q, k.transpose(-2, -1)) * (1.0 / Math.Sqrt(headWidth));
        if (mask is not null)
        {
            scores = scores + mask;
        }

        var mixed = matmul(nn.functional.softmax(scores, -1), v).transpose(1, 2).reshape(b, t, d);
        var x = input + _out.forward(mixed);
        x = x + _down.forward(nn.functional.gelu(_up.forward(_norm2.forward(x))));
        return x.MoveToOuterDisposeScope();
    }
}
