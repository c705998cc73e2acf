using static TorchSharp.torch;

namespace Alpt.Learning.Tests.Support;

internal static class Tensors
{
    /// <summary>Uniform 0..1 floats of any rank (TorchSharp's int overloads stop at four dimensions).</summary>
    public static Tensor Uniform(params long[] shape) => rand(shape);
}
