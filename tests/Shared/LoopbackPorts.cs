using System.Net;
using System.Net.Sockets;

namespace Alpt.Grid.Testing;

/// <summary>
/// Loopback ports for the listeners of test processes (silos, gateways, Azurite, Prometheus).
/// A port the OS hands out for "port 0" comes from the ephemeral range, from which it also picks the
/// local port of every outgoing connection: between the moment a test chooses such a port and the
/// moment a child process binds it, a connection may take it, and the process fails to start. These
/// ports come from below the ephemeral range instead, where the OS never assigns one on its own, and
/// each is checked to be free when it is handed out.
/// </summary>
internal static class LoopbackPorts
{
    private const int Lowest = 10_000;

    private static readonly int Highest = EphemeralLow() - 1;
    private static int next = Lowest + Random.Shared.Next(Math.Max(1, Highest - Lowest));

    /// <summary>A loopback port that is free now and that no other caller in this process has been given.</summary>
    public static int Free()
    {
        if (Highest - Lowest < 1_000)
        {
            return OsAssigned();
        }

        for (var tries = 0; tries < 1_000; tries++)
        {
            var port = Lowest + (Interlocked.Increment(ref next) - Lowest) % (Highest - Lowest);
            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                return port;
            }
            catch (SocketException)
            {
                // Someone listens there already: the next one.
            }
        }

        return OsAssigned();
    }

    private static int OsAssigned()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The first port of the kernel's ephemeral range (Linux), or the IANA one elsewhere.</summary>
    private static int EphemeralLow()
    {
        try
        {
            var range = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            return int.Parse(range[0], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return 49_152;
        }
    }
}
