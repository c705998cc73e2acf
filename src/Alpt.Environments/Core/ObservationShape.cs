namespace Alpt.Environments.Core;

/// <summary>An RGB uint8 frame laid out channels × height × width (CHW), as Torch expects.</summary>
public readonly record struct ObservationShape(int Channels, int Height, int Width)
{
    /// <summary>Bytes in one frame.</summary>
    public int Length => Channels * Height * Width;

    public override string ToString() => $"{Channels}x{Height}x{Width}";
}
