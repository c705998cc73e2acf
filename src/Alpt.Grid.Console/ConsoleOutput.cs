using System.Text.Json;
using Spectre.Console;

namespace Alpt.Grid.Console;

/// <summary>Machine-readable output, written past Spectre's line wrapping and markup.</summary>
public static class ConsoleOutput
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static void WriteJson<T>(this IAnsiConsole console, T value) => console.WriteRaw(JsonSerializer.Serialize(value, Json) + Environment.NewLine);

    public static void WriteRaw(this IAnsiConsole console, string text)
    {
        ArgumentNullException.ThrowIfNull(console);
        console.Profile.Out.Writer.Write(text);
        console.Profile.Out.Writer.Flush();
    }
}
