namespace Alpt.Grid.Silo.Tests;

/// <summary>The ports the process tests give their silos: never the same one twice, never an ephemeral one.</summary>
public sealed class LoopbackPortsTests
{
    [Fact]
    public void Ports_handed_out_are_distinct_and_below_the_ephemeral_range()
    {
        var ports = Enumerable.Range(0, 200).Select(_ => LoopbackPorts.Free()).ToList();

        Assert.Equal(ports.Count, ports.Distinct().Count());
        var range = "/proc/sys/net/ipv4/ip_local_port_range";
        if (File.Exists(range))
        {
            var low = int.Parse(File.ReadAllText(range).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[0], System.Globalization.CultureInfo.InvariantCulture);
            Assert.All(ports, p => Assert.InRange(p, 10_000, low - 1));
        }
    }
}
