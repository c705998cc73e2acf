namespace Alpt.Grid.Console.Tests;

/// <summary>The browser checks can fail: a page with a broken image and a script error is seen as such.</summary>
public sealed class HeadlessChromiumTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("alpt-chromium-test-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public async Task A_broken_image_and_a_script_error_are_seen()
    {
        var page = Path.Combine(directory, "broken.html");
        File.WriteAllText(page, """
            <!DOCTYPE html><html><head><title>broken</title></head><body>
            <img alt="truncated" src="data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAA">
            <script>console.error("something went wrong"); undefinedFunction();</script>
            </body></html>
            """);

        var look = await HeadlessChromium.LookAsync(new Uri(page));

        Assert.Equal("broken", look.Title);
        var image = Assert.Single(look.Images);
        Assert.Equal(("truncated", 0), (image.Alt, image.NaturalWidth));
        Assert.Contains(look.ConsoleErrors, e => e.Contains("something went wrong", StringComparison.Ordinal));
        Assert.Contains(look.ConsoleErrors, e => e.Contains("undefinedFunction", StringComparison.Ordinal));
    }
}
