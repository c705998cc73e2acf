namespace Alpt.Grid.Silo.Telemetry;

/// <summary>
/// Where a silo serves its Prometheus metrics. Part of the silo's configuration shape, bound from
/// the <c>Silo:Metrics</c> section (environment: <c>Silo__Metrics__Port</c>, …).
/// </summary>
public sealed class SiloMetricsOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Silo:Metrics";

    /// <summary>Serve /metrics at all (a test silo may not need it).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// The interface to listen on: all interfaces by default, since Prometheus scrapes from another
    /// host or container; 127.0.0.1 for a machine-local run.
    /// </summary>
    public string Host { get; set; } = "0.0.0.0";

    /// <summary>TCP port of the /metrics endpoint; 0 picks a free one (see <see cref="MetricsEndpoint.Address"/>).</summary>
    public int Port { get; set; } = 9464;

    /// <summary>The path Prometheus scrapes.</summary>
    public string Path { get; set; } = "/metrics";
}
