using System.Net;
using System.Net.Sockets;

namespace Alpt.Grid.Silo.Tests;

internal static class TestPorts
{
    /// <summary>A loopback port free right now, outside the ephemeral range (see LoopbackPorts).</summary>
    public static int Free() => Alpt.Grid.Testing.LoopbackPorts.Free();
}
