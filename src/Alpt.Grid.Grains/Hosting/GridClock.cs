namespace Alpt.Grid.Grains.Hosting;

/// <summary>
/// The time grains judge leases and claims by. Its own type (not a TimeProvider registration) so that
/// tests can drive lease expiry with a fake clock without touching Orleans' own timing.
/// </summary>
public sealed class GridClock(TimeProvider provider)
{
    public static GridClock System { get; } = new(TimeProvider.System);

    public TimeProvider Provider { get; } = provider;

    public DateTimeOffset UtcNow => Provider.GetUtcNow();
}
