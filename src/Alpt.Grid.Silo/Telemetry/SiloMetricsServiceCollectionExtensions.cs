using Alpt.Grid.Grains.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Alpt.Grid.Silo.Telemetry;

/// <summary>Registers a silo's metrics: the grid's instruments, the meters exported, and /metrics.</summary>
public static class SiloMetricsServiceCollectionExtensions
{
    /// <summary>Meters every silo exports: Orleans' own, the .NET runtime's (built in since .NET 9), and ours.</summary>
    public static IReadOnlyList<string> ExportedMeters { get; } = ["Microsoft.Orleans", "System.Runtime", GridMetrics.MeterName];

    /// <summary>
    /// Adds <see cref="GridMetrics"/> (always: the grains and workers record into it) and, when
    /// <paramref name="options"/> enable it, an OpenTelemetry meter provider with the Prometheus
    /// exporter over <see cref="ExportedMeters"/> and the <see cref="MetricsEndpoint"/> that serves it.
    /// </summary>
    public static IServiceCollection AddSiloMetrics(this IServiceCollection services, SiloMetricsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        services.AddMetrics();
        services.TryAddSingleton<GridMetrics>();
        if (!options.Enabled)
        {
            return services;
        }

        services.AddSingleton(Options.Create(options));
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
