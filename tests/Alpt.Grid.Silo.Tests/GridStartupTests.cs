using System.Net.Sockets;
using Alpt.Grid.Silo.Hosting;
using Azure;

namespace Alpt.Grid.Silo.Tests;

/// <summary>Which failed starts a silo retries: storage that does not answer, and nothing else.</summary>
public sealed class GridStartupTests
{
    [Fact]
    public void Storage_refusing_or_failing_anywhere_in_the_causes_is_retried()
    {
        var refused = new RequestFailedException("Connection refused", new HttpRequestException("refused", new SocketException(111)));
        Assert.True(GridStartup.IsStorageUnreachable(new InvalidOperationException("lifecycle", new AggregateException(new InvalidOperationException("first"), refused))));
        Assert.True(GridStartup.IsStorageUnreachable(new RequestFailedException(503, "Service Unavailable")));
        Assert.True(GridStartup.IsStorageUnreachable(new TimeoutException()));
    }

    [Fact]
    public void Configuration_and_client_errors_end_the_start_at_once()
    {
        Assert.False(GridStartup.IsStorageUnreachable(new InvalidOperationException("Grid:Slots 'gpu*x' is not a slot list")));
        Assert.False(GridStartup.IsStorageUnreachable(new RequestFailedException(403, "Forbidden: the account key is wrong")));
        Assert.False(GridStartup.IsStorageUnreachable(new AggregateException(new IOException("address already in use"))));
    }
}
