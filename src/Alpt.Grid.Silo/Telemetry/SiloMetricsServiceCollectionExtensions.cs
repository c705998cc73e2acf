using Alpt.Grid.Grains.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Alpt.Grid.Silo.Telemetry;

/// <summary>Registers a silo's metrics: the grid's instruments, the meters exported, and /metrics.</summary>
public static class SiloMetricsServiceCollectionExtensions
{
    /// <summary>Meters every silo exports: Orleans' own, the .NET runtime's (built in since .NET 9), and ours.</summary>
    public static IReadOnlyList<string> ExportedMeters { get; } = ["Microsoft.Orleans", "System.Runtime", GridMetrics.MeterName];

    /// <summary>
    /// Adds <see cref="GridMetrics"/>, an OpenTelemetry meter provider with the Prometheus exporter
    /// over <see cref="ExportedMeters"/>, and the <see cref="MetricsEndpoint"/> that serves it,
    /// configured from the <see cref="SiloMetricsOptions.SectionName"/> section.
    /// </summary>
    public static IServiceCollection AddSiloMetrics(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<SiloMetricsOptions>()
            .Bind(configuration.GetSection(SiloMetricsOptions.SectionName))
            .Validate(o => o.Port is >= 0 and <= 65535, "Silo:Metrics:Port must be between 0 and 65535.")
            .Validate(o => System.Net.IPAddress.TryParse(o.Host, out _), "Silo:Metrics:Host must be an IP address (0.0.0.0 for all interfaces).")
            .Validate(o => o.Path.StartsWith('/'), "Silo:Metrics:Path must start with '/'.")
            .ValidateOnStart();
        services.AddMetrics();
        services.AddSingleton<GridMetrics>();
        services.AddOpenTelemetry()
            // Only the service name: no host names, connection strings or other settings in target_info.
            .ConfigureResource(resource => resource.AddService("alpt-silo"))
            .WithMetrics(metrics =>
            {
                foreach (var meter in ExportedMeters)
                {
                    metrics.AddMeter(meter);
                }

                metrics.AddPrometheusExporter();
            });
        services.AddSingleton<MetricsEndpoint>();
        services.AddHostedService(sp => sp.GetRequiredService<MetricsEndpoint>());
        return services;
    }
}
