using Alpt.Grid.Abstractions.Sweeps;
using Alpt.Grid.Silo.Configuration;
using Alpt.Grid.Silo.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Alpt.Grid.Silo.Tests;

/// <summary>An embedded grid silo in this process (as `alpt sweep run` hosts it), on free loopback ports.</summary>
internal sealed class EmbeddedGrid : IAsyncDisposable
{
    private readonly IHost host;

    private EmbeddedGrid(IHost host) => this.host = host;

    public IGrainFactory Grains => host.Services.GetRequiredService<IGrainFactory>();

    public IServiceProvider Services => host.Services;

    /// <param name="services">Registrations made before the grid's own (e.g. a test's trial executor, which the grid then keeps).</param>
    public static async Task<EmbeddedGrid> StartAsync(string dataDirectory, Action<GridSiloOptions> configure, Action<IServiceCollection>? services = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Test" });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        services?.Invoke(builder.Services);
        builder.AddGridSilo(options =>
        {
            options.DataDirectory = dataDirectory;
            options.SiloPort = LoopbackPorts.Free();
            options.GatewayPort = LoopbackPorts.Free();
            options.SiloName = "test-silo";
            options.Executor.Kind = "noop";
            configure(options);
        });
        var host = builder.Build();
        try
        {
            await host.StartAsync();
        }
        catch
        {
            // Stop whatever did start; the start failure is the error worth reporting.
            try
            {
                await host.StopAsync();
            }
            catch (InvalidOperationException)
            {
            }

            host.Dispose();
            throw;
        }

        return new EmbeddedGrid(host);
    }

    /// <summary>Polls the sweep's status until every trial is finished (bounded; fails with the last status).</summary>
    public async Task<SweepStatus> WaitForCompletion(string sweepId, TimeSpan limit)
    {
        var sweep = Grains.GetGrain<ISweepGrain>(sweepId);
        using var timeout = new CancellationTokenSource(limit);
        SweepStatus status;
        do
        {
            await Task.Delay(100, CancellationToken.None);
            status = await sweep.GetStatus();
            if (timeout.IsCancellationRequested)
            {
                throw new TimeoutException($"sweep {sweepId} did not finish within {limit}: {status.Counts}");
            }
        }
        while (status.State == SweepState.Running);
        return status;
    }

    /// <summary>Polls until some trial of the sweep is running; returns their live statuses.</summary>
    public async Task<Abstractions.Seeds.SeedStatus[]> WaitForRunning(string sweepId, TimeSpan limit)
    {
        var sweep = Grains.GetGrain<ISweepGrain>(sweepId);
        using var timeout = new CancellationTokenSource(limit);
        while (true)
        {
            var running = await sweep.GetRunning();
            if (running.Length > 0)
            {
                return running;
            }

            if (timeout.IsCancellationRequested)
            {
                throw new TimeoutException($"no trial of sweep {sweepId} was seen running within {limit}");
            }

            await Task.Delay(20, CancellationToken.None);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await host.StopAsync();
        host.Dispose();
    }
}
