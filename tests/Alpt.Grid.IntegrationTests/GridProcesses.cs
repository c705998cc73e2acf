using Alpt.Grid.Abstractions.Sweeps;
using Alpt.Grid.Silo.Configuration;
using Alpt.Grid.Silo.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Alpt.Grid.IntegrationTests;

/// <summary>How to start one silo process.</summary>
internal sealed record SiloSpec(
    string Name,
    ClusteringMode Clustering,
    string ClusterId,
    string? ConnectionString,
    string DataDirectory,
    int SiloPort,
    int GatewayPort,
    string Slots,
    int DelayMilliseconds,
    string ExecutionLog,
    TimeSpan LeaseDuration,
    string Executor = "synthetic",
    int MetricsPort = 0,
    int QueuePartitions = 0,
    IReadOnlyList<string>? Settings = null);

internal static class GridProcesses
{
    /// <summary>
    /// Starts `dotnet Alpt.Grid.Silo.dll` with its settings on the command line and the storage connection
    /// string in the environment (as in production), and waits for its worker to start.
    /// </summary>
    public static async Task<ChildProcess> StartSilo(SiloSpec spec)
    {
        var silo = ChildProcess.Start(
            spec.Name,
            "dotnet",
            [
                Path.Combine(Repo.SiloDirectory, "Alpt.Grid.Silo.dll"),
                $"--Grid:Clustering={spec.Clustering}",
                $"--Grid:ClusterId={spec.ClusterId}",
                $"--Grid:SiloName={spec.Name}",
                $"--Grid:DataDirectory={spec.DataDirectory}",
                $"--Grid:SiloPort={spec.SiloPort}",
                $"--Grid:GatewayPort={spec.GatewayPort}",
                $"--Grid:Slots={spec.Slots}",
                $"--Grid:LeaseDuration={spec.LeaseDuration}",
                "--Grid:MaxIdlePoll=00:00:00.100",
                "--Grid:Executor:Kind=synthetic",
                $"--Grid:Executor:DelayMilliseconds={spec.DelayMilliseconds}",
                $"--Grid:Executor:ExecutionLog={spec.ExecutionLog}",
                .. (spec.Executor == "synthetic" ? [] : new[] { $"--Grid:Executor:Kind={spec.Executor}" }),
                .. (spec.MetricsPort > 0 ? [$"--Grid:Metrics:Port={spec.MetricsPort}"] : new[] { "--Grid:Metrics:Enabled=false" }),
                .. (spec.QueuePartitions > 0 ? [$"--Grid:QueuePartitions={spec.QueuePartitions}"] : Array.Empty<string>()),
                .. spec.Settings ?? [],
            ],
            Repo.SiloDirectory,
            spec.ConnectionString is null ? null : new Dictionary<string, string> { ["ALPT_Grid__StorageConnectionString"] = spec.ConnectionString });
        try
        {
            await silo.WaitForOutput(spec.Slots == "none" ? "has no slots" : "slot(s)", TimeSpan.FromSeconds(90));
        }
        catch
        {
            await silo.DisposeAsync();
            throw;
        }

        return silo;
    }

    /// <summary>An Orleans client of the grid (gateway of an embedded silo, or Azure table membership).</summary>
    public static async Task<IHost> StartClient(ClusteringMode clustering, string clusterId, string? connectionString, int gatewayPort)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Test", Args = [] });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.AddGridClient(o =>
        {
            o.Clustering = clustering;
            o.ClusterId = clusterId;
            o.StorageConnectionString = connectionString;
            o.GatewayPort = gatewayPort;
        });
        var host = builder.Build();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await host.StartAsync(timeout.Token);
        return host;
    }

    public static async Task<SweepStatus> WaitFor(IGrainFactory grains, string sweepId, Func<SweepStatus, bool> condition, TimeSpan limit)
    {
        var sweep = grains.GetGrain<ISweepGrain>(sweepId);
        using var timeout = new CancellationTokenSource(limit);
        while (true)
        {
            var status = await sweep.GetStatus();
            if (condition(status))
            {
                return status;
            }

            if (timeout.IsCancellationRequested)
            {
                throw new TimeoutException($"sweep {sweepId} did not reach the expected state within {limit}: {status.State} {status.Counts}");
            }

            await Task.Delay(200, CancellationToken.None);
        }
    }

    /// <summary>Like <see cref="WaitFor"/>, but rides out calls that fail while the cluster recovers (a silo died, storage is down).</summary>
    public static async Task<SweepStatus> WaitThrough(IGrainFactory grains, string sweepId, Func<SweepStatus, bool> condition, TimeSpan limit)
    {
        var sweep = grains.GetGrain<ISweepGrain>(sweepId);
        using var timeout = new CancellationTokenSource(limit);
        string last = "no answer yet";
        while (true)
        {
            try
            {
                var status = await sweep.GetStatus().WaitAsync(TimeSpan.FromSeconds(20));
                if (condition(status))
                {
                    return status;
                }

                last = $"{status.State} {status.Counts}";
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                last = e.GetType().Name + ": " + e.Message;
            }

            if (timeout.IsCancellationRequested)
            {
                throw new TimeoutException($"sweep {sweepId} did not reach the expected state within {limit}: {last}");
            }

            await Task.Delay(250, CancellationToken.None);
        }
    }

    /// <summary>Lines "seedId attempt device" the synthetic executor appended, one per execution.</summary>
    public static string[] Executions(string log) => File.Exists(log) ? File.ReadAllLines(log) : [];

    public static IGrainFactory Grains(this IHost client) => client.Services.GetRequiredService<IClusterClient>();
}
