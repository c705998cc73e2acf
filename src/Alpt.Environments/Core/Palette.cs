namespace Alpt.Environments.Core;

/// <summary>One RGB colour.</summary>
public readonly record struct Rgb(byte R, byte G, byte B)
{
    public override string ToString() => $"#{R:x2}{G:x2}{B:x2}";
}

/// <summary>
/// A game's colours: entry 0 is the background, entry i the colour of object kind i (paddle, ball, ...).
/// Every game has its own palette, background included, so an IDM has to learn to see each game.
/// </summary>
public sealed class Palette
{
    private readonly byte[] _red;
    private readonly byte[] _green;
    private readonly byte[] _blue;

    public Palette(IReadOnlyList<(string Name, Rgb Colour)> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Count is < 1 or > 32)
        {
            throw new ArgumentException("A palette needs between 1 and 32 entries (background first).", nameof(entries));
        }

        Names = entries.Select(e => e.Name).ToArray();
        Colours = entries.Select(e => e.Colour).ToArray();
        _red = Colours.Select(c => c.R).ToArray();
        _green = Colours.Select(c => c.G).ToArray();
        _blue = Colours.Select(c => c.B).ToArray();
    }

    /// <summary>Name of each entry ("background", "paddle", ...).</summary>
    public IReadOnlyList<string> Names { get; }

    public IReadOnlyList<Rgb> Colours { get; }

    public int Count => Colours.Count;

    internal byte[] Red => _red;

    internal byte[] Green => _green;

    internal byte[] Blue => _blue;
}
