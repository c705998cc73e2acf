namespace Alpt.Grid.Silo.Telemetry;

/// <summary>
/// Where a silo serves its Prometheus metrics: <c>GridSiloOptions.Metrics</c>, bound from the
/// <c>Grid:Metrics</c> section (environment: <c>ALPT_Grid__Metrics__Port</c>, …).
/// </summary>
public sealed class SiloMetricsOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Grid:Metrics";

    /// <summary>Serve /metrics at all (a test silo may not need it).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// The interface to listen on. Unset, /metrics listens where the silo does: on every interface when
    /// the silo listens on any address (containers, Kubernetes), otherwise on its advertised address
    /// (127.0.0.1 unless configured). Set 0.0.0.0 for every interface.
    /// </summary>
    public string? Host { get; set; }

    /// <summary>TCP port of the /metrics endpoint; 0 picks a free one (see <see cref="MetricsEndpoint.Address"/>).</summary>
    public int Port { get; set; } = 9464;

    /// <summary>The path Prometheus scrapes.</summary>
    public string Path { get; set; } = "/metrics";

    /// <summary>What is wrong with these options, naming each setting; empty when they are usable.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (Port is < 0 or > 65535)
        {
            problems.Add($"Grid:Metrics:Port {Port} must be in 0..65535");
        }

        if (Host is not null && !System.Net.IPAddress.TryParse(Host, out _))
        {
            problems.Add($"Grid:Metrics:Host '{Host}' is not an IP address (0.0.0.0 for every interface)");
        }

        if (!Path.StartsWith('/'))
        {
            problems.Add($"Grid:Metrics:Path '{Path}' must start with '/'");
        }

        return problems;
    }
}
