namespace Alpt.Grid.Grains.Hosting;

/// <summary>
/// Keeps one outstanding state write at a time in a reentrant grain (concurrent writes would race on
/// the ETag); each write stores the state as it is when its turn comes.
/// </summary>
internal sealed class SerialWriter(Func<Task> write) : IDisposable
{
    private readonly SemaphoreSlim gate = new(1, 1);

    public async Task WriteAsync()
    {
        await gate.WaitAsync();
        try
        {
            await write();
        }
        finally
        {
            gate.Release();
        }
    }

    public void Dispose() => gate.Dispose();
}
