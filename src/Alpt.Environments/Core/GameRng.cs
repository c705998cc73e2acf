namespace Alpt.Environments.Core;

/// <summary>
/// xoshiro256** seeded through SplitMix64: a fully specified generator, so games, policies and
/// datasets give the same numbers on every machine and runtime (System.Random's algorithm is not
/// part of its contract). A mutable struct: copy it to fork a stream, keep it in a field to advance it.
/// </summary>
public struct GameRng
{
    private ulong _s0;
    private ulong _s1;
    private ulong _s2;
    private ulong _s3;

    public GameRng(ulong seed)
    {
        var x = seed;
        _s0 = SplitMix64(ref x);
        _s1 = SplitMix64(ref x);
        _s2 = SplitMix64(ref x);
        _s3 = SplitMix64(ref x);
    }

    /// <summary>One SplitMix64 step: advances <paramref name="state"/> and returns a well-mixed value.</summary>
    public static ulong SplitMix64(ref ulong state)
    {
        state += 0x9E3779B97F4A7C15UL;
        var z = state;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Derives an independent seed for a named sub-stream (episode i, the sticky-action coin, ...).</summary>
    public static ulong Derive(ulong seed, ulong stream)
    {
        var x = seed ^ (stream * 0xD1B54A32D192ED03UL);
        SplitMix64(ref x);
        return SplitMix64(ref x);
    }

    public ulong NextUInt64()
    {
        var result = RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform integer in [0, <paramref name="bound"/>) by multiply-shift (bias below 2^-32, irrelevant here).</summary>
    public int NextInt(int bound) => (int)(((NextUInt64() >> 32) * (ulong)(uint)bound) >> 32);

    /// <summary>Uniform double in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>True with probability <paramref name="p"/>.</summary>
    public bool Chance(double p) => NextDouble() < p;

    private static ulong RotateLeft(ulong x, int k) => (x << k) | (x >> (64 - k));
}
