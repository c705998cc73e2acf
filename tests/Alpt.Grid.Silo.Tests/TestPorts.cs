using System.Net;
using System.Net.Sockets;

namespace Alpt.Grid.Silo.Tests;

internal static class TestPorts
{
    /// <summary>A loopback port free right now (the OS picks it), so parallel test runs do not collide.</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
