using Alpt.Environments.Core;
using Alpt.Environments.Datasets;
using static TorchSharp.torch;

namespace Alpt.Learning.Data;

/// <summary>
/// The frames of several datasets in one uint8 tensor on the training device, so a batch is one
/// index_select (no per-sample copies through managed memory). Dataset i's frames start at
/// <see cref="Offset"/>(i).
/// </summary>
public sealed class FrameStore : IDisposable
{
    private readonly Tensor _frames;
    private readonly long[] _offsets;

    public FrameStore(IReadOnlyList<TrajectoryDataset> datasets, Device device)
    {
        ArgumentNullException.ThrowIfNull(datasets);
        if (datasets.Count == 0)
        {
            throw new ArgumentException("A frame store needs at least one dataset.", nameof(datasets));
        }

        Shape = datasets[0].Shape;
        _offsets = new long[datasets.Count];
        long total = 0;
        for (var i = 0; i < datasets.Count; i++)
        {
            if (datasets[i].Shape != Shape)
            {
                throw new ArgumentException(
                    $"Dataset {datasets[i].Spec.Game}:{datasets[i].Spec.Variant} has frames of {datasets[i].Shape}, but {datasets[0].Spec.Game} has {Shape}: all datasets of a trial need one observation shape.",
                    nameof(datasets));
            }

            _offsets[i] = total;
            total += datasets[i].Frames.Length / Shape.Length;
        }

        var bytes = new byte[total * Shape.Length];
        for (var i = 0; i < datasets.Count; i++)
        {
            datasets[i].Frames.CopyTo(bytes, _offsets[i] * Shape.Length);
        }

        using var host = tensor(bytes, [total, Shape.Channels, Shape.Height, Shape.Width], ScalarType.Byte);
        _frames = host.to(device);
        Device = device;
    }

    public ObservationShape Shape { get; }

    public Device Device { get; }

    public long Offset(int dataset) => _offsets[dataset];

    /// <summary>Frames at <paramref name="indices"/> (store-wide), as floats in 0..1 shaped [B, per, C, H, W].</summary>
    public Tensor Gather(long[] indices, int batch, int perSample)
    {
        ArgumentNullException.ThrowIfNull(indices);
        using var scope = NewDisposeScope();
        var index = tensor(indices, ScalarType.Int64).to(Device);
        var frames = _frames.index_select(0, index).to(ScalarType.Float32).div_(255f);
        return frames.view(batch, perSample, Shape.Channels, Shape.Height, Shape.Width).MoveToOuterDisposeScope();
    }

    public void Dispose() => _frames.Dispose();
}
