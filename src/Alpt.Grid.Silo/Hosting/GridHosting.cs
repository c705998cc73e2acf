using System.Net;
using Alpt.Grid.Grains.Environments;
using Alpt.Grid.Grains.Hosting;
using Alpt.Grid.Grains.Telemetry;
using Alpt.Grid.Silo.Configuration;
using Alpt.Grid.Silo.Storage;
using Alpt.Grid.Silo.Trials;
using Alpt.Grid.Silo.Telemetry;
using Alpt.Grid.Silo.Workers;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Dashboard;
using Orleans.Runtime.Hosting;
using Orleans.Storage;

namespace Alpt.Grid.Silo.Hosting;

/// <summary>
/// Hosting the grid: a silo (its own process, or embedded in `alpt`) and a client. Everything comes
/// from one <see cref="GridSiloOptions"/> bound from configuration.
/// </summary>
public static class GridHosting
{
    /// <summary>Reads the grid options: the "Grid" section, with the connection string also from ConnectionStrings:AlptGrid.</summary>
    public static GridSiloOptions ReadOptions(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = new GridSiloOptions();
        configuration.GetSection(GridSiloOptions.Section).Bind(options);
        options.StorageConnectionString ??= configuration.GetConnectionString(GridSiloOptions.ConnectionStringName);
        return options;
    }

    /// <summary>
    /// Adds a grid silo (grains, storage, clustering, worker) to a host. <paramref name="configure"/>
    /// adjusts the options read from configuration (the embedded `alpt sweep run` sets its data directory
    /// and slots this way).
    /// </summary>
    public static IHostApplicationBuilder AddGridSilo(this IHostApplicationBuilder builder, Action<GridSiloOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = ReadOptions(builder.Configuration);
        configure?.Invoke(options);
        Validate(options);

        // The slots on this machine's devices, with their thread budgets; the worker logs the plan at start.
        var plan = SlotPlan.For(options);
        if (options.Executor.Kind == "learning")
        {
            // A CUDA slot on a machine without CUDA fails here, before anything starts, with the reason. The
            // noop and synthetic executors touch no device: their slots' devices are labels (tests, benches).
            WorkerSlot.CheckDevices(plan.Slots);
        }

        builder.Services.AddSingleton(plan);
        builder.Services.AddSingleton(Options.Create(options));
        // The host cancels its services' stop a little before the bound GridShutdown enforces.
        builder.Services.Configure<HostOptions>(h => h.ShutdownTimeout = GridShutdown.HostStopTimeout(options));
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton(GridClock.System);
        builder.Services.Configure<GridGrainOptions>(g =>
        {
            g.QueuePartitions = options.QueuePartitions;
            g.Catalogue = ArcadeGridCatalogue.Instance;
        });
        builder.Services.TryAddSingleton<ITrialExecutor>(sp => options.Executor.Kind switch
        {
            "learning" => new LearningTrialExecutor(
                new GridDatasets(sp.GetRequiredService<DatasetCache>()),
                options.Executor.ExecutionLog),
            "noop" => new NoOpTrialExecutor(),
            "synthetic" => new SyntheticTrialExecutor(options.Executor),
            _ => throw new InvalidOperationException($"Grid:Executor:Kind '{options.Executor.Kind}' is not known (learning, noop, synthetic)"),
        });

        if (options.Clustering == ClusteringMode.Embedded)
        {
            // Registered before the silo, so it starts (and fails) first.
            builder.Services.AddHostedService(_ => new DataDirectoryLock(Path.GetFullPath(options.DataDirectory)));
        }

        builder.UseOrleans(silo =>
        {
            silo.Configure<ClusterOptions>(c =>
            {
                c.ClusterId = options.ClusterId;
                c.ServiceId = options.ServiceId;
            });

            // Launching a large sweep (from an embedded `alpt` too) queues every trial before it returns.
            silo.Configure<SiloMessagingOptions>(m => m.ResponseTimeout = TimeSpan.FromMinutes(5));
            // Thousands of seed grains activate at once on launch or resume, each reading its state from
            // storage; on a loaded machine or a slow table that takes longer than Orleans' 30 s default.
            silo.Configure<GrainCollectionOptions>(g => g.ActivationTimeout = TimeSpan.FromMinutes(2));
            silo.UseGridTls(options.Tls);
            var address = IPAddress.Parse(options.AdvertisedAddress);
            if (options.Clustering == ClusteringMode.Embedded)
            {
                silo.UseLocalhostClustering(options.SiloPort, options.GatewayPort, null, options.ServiceId, options.ClusterId);
                silo.Configure<EndpointOptions>(e => e.AdvertisedIPAddress = address);
                var root = Path.GetFullPath(options.DataDirectory);
                silo.Services.AddGrainStorage(GridGrainOptions.StorageName, (sp, _) =>
                    new DirectoryGrainStorage(Path.Combine(root, "state"), new OrleansGrainStorageSerializer(sp.GetRequiredService<Orleans.Serialization.Serializer>())));
                silo.Services.TryAddSingleton<IArtifactStore>(new LocalArtifactStore(Path.Combine(root, "artifacts")));
            }
            else
            {
                var connection = options.StorageConnectionString!;
                silo.ConfigureEndpoints(address, options.SiloPort, options.GatewayPort, options.ListenOnAnyAddress);
                silo.UseAzureStorageClustering(c => c.TableServiceClient = new TableServiceClient(connection));
                silo.AddAzureTableGrainStorage(GridGrainOptions.StorageName, o => o.Configure<IServiceProvider>((t, sp) =>
                {
                    t.TableServiceClient = new TableServiceClient(connection);
                    t.TableName = "alptgridstate";
                    t.GrainStorageSerializer = new OrleansGrainStorageSerializer(sp.GetRequiredService<Orleans.Serialization.Serializer>());
                }));
                silo.Services.TryAddSingleton<IArtifactStore>(_ => new BlobArtifactStore(new BlobContainerClient(connection, options.ArtifactContainer)));
                if (options.KubernetesHosting)
                {
                    silo.UseKubernetesHosting();
                }
            }

            if (options.Dashboard.Enabled)
            {
                silo.AddDashboard();
            }
        });

        if (options.Dashboard.Enabled)
        {
            var dashboardServices = DashboardEndpoint.ServicesOf(builder.Services);
            builder.Services.AddSingleton(sp => new DashboardEndpoint(sp, dashboardServices, options.Dashboard, sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<DashboardEndpoint>>()));
            builder.Services.AddHostedService(sp => sp.GetRequiredService<DashboardEndpoint>());
        }

        options.Metrics.Host ??= options.ListenOnAnyAddress || options.KubernetesHosting ? IPAddress.Any.ToString() : options.AdvertisedAddress;
        builder.Services.AddSiloMetrics(options.Metrics);
        // Trial executors reach datasets through the cache; the arcade suite's generator unless another is registered.
        builder.Services.TryAddSingleton<DatasetGenerator>(GridDatasets.Generate);
        builder.Services.TryAddSingleton(sp => new DatasetCache(
            sp.GetRequiredService<IGrainFactory>(),
            sp.GetRequiredService<IArtifactStore>(),
            sp.GetService<DatasetGenerator>() ?? throw new InvalidOperationException("no DatasetGenerator is registered: register one before AddGridSilo to let trials load datasets"),
            sp.GetRequiredService<IOptions<GridGrainOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<GridMetrics>(),
            sp.GetService<ILogger<DatasetCache>>()));
        builder.Services.AddSingleton<TrialWorker>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<TrialWorker>());
        return builder;
    }

    /// <summary>Adds an Orleans client for the grid described by configuration (gateway on localhost, or Azure membership).</summary>
    public static IHostApplicationBuilder AddGridClient(this IHostApplicationBuilder builder, Action<GridSiloOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = ReadOptions(builder.Configuration);
        configure?.Invoke(options);
        Validate(options, silo: false);
        builder.UseOrleansClient(client =>
        {
            // Launching a large sweep stores and queues every trial before it returns.
            client.Configure<ClientMessagingOptions>(m => m.ResponseTimeout = TimeSpan.FromMinutes(5));
            client.UseGridTls(options.Tls);
            if (options.Clustering == ClusteringMode.Embedded)
            {
                client.UseLocalhostClustering(options.GatewayPort, options.ServiceId, options.ClusterId);
            }
            else
            {
                client.Configure<ClusterOptions>(c =>
                {
                    c.ClusterId = options.ClusterId;
                    c.ServiceId = options.ServiceId;
                });
                var connection = options.StorageConnectionString!;
                client.UseAzureStorageClustering(g => g.TableServiceClient = new TableServiceClient(connection));
            }
        });
        return builder;
    }

    /// <summary>Checks the options before anything starts, naming the setting at fault (never its secret value).</summary>
    public static void Validate(GridSiloOptions options, bool silo = true)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();
        if (options.Clustering == ClusteringMode.Azure && string.IsNullOrWhiteSpace(options.StorageConnectionString))
        {
            problems.Add("Grid:Clustering is Azure but no storage connection string is configured (Grid:StorageConnectionString, ConnectionStrings:AlptGrid, or the environment variable ALPT_Grid__StorageConnectionString)");
        }

        problems.AddRange(GridTls.Problems(options.Tls, forSilo: silo));
        if (!silo)
        {
            if (options.Clustering == ClusteringMode.Embedded && options.GatewayPort is < 1 or > 65535)
            {
                problems.Add($"Grid:GatewayPort ({options.GatewayPort}) must be a port in 1..65535");
            }

            Throw(problems);
            return;
        }

        if (!IPAddress.TryParse(options.AdvertisedAddress, out _))
        {
            problems.Add($"Grid:AdvertisedAddress '{options.AdvertisedAddress}' is not an IP address");
        }

        if (options.SiloPort is < 1 or > 65535 || options.GatewayPort is < 1 or > 65535 || options.SiloPort == options.GatewayPort)
        {
            problems.Add($"Grid:SiloPort ({options.SiloPort}) and Grid:GatewayPort ({options.GatewayPort}) must be distinct ports in 1..65535");
        }

        if (options.QueuePartitions is < 1 or > 1024)
        {
            problems.Add($"Grid:QueuePartitions {options.QueuePartitions} must be in 1..1024");
        }

        if (options.LeaseDuration < TimeSpan.FromMilliseconds(100) || options.EffectiveHeartbeat <= TimeSpan.Zero || options.EffectiveHeartbeat >= options.LeaseDuration)
        {
            problems.Add($"Grid:LeaseDuration ({options.LeaseDuration}) must be ≥ 100 ms and longer than Grid:HeartbeatInterval ({options.EffectiveHeartbeat})");
        }

        if (options.ShutdownTimeout < TimeSpan.FromSeconds(1) || options.DrainGrace < TimeSpan.Zero || options.DrainGrace >= options.WorkerStopBudget)
        {
            problems.Add($"Grid:ShutdownTimeout ({options.ShutdownTimeout}) must be ≥ 1 s, and Grid:DrainGrace ({options.DrainGrace}) ≥ 0 and less than two thirds of it ({options.WorkerStopBudget}: the worker drains and hands trials back in that part)");
        }

        if (options.StartupStorageWait < TimeSpan.Zero)
        {
            problems.Add($"Grid:StartupStorageWait ({options.StartupStorageWait}) must be ≥ 0 (zero: exit at once if storage does not answer at start)");
        }

        if (options.KubernetesHosting && options.Clustering != ClusteringMode.Azure)
        {
            problems.Add("Grid:KubernetesHosting needs Grid:Clustering=Azure (membership and state in Azure tables)");
        }

        problems.AddRange(options.Metrics.Problems());
        problems.AddRange(options.Dashboard.Problems());

        try
        {
            // The syntax only: the GPUs a bare "cuda" stands for are counted when the silo starts.
            SlotSpec.Parse(options.Slots);
        }
        catch (ArgumentException e)
        {
            problems.Add("Grid:Slots: " + e.Message);
        }

        if (options.SlotsPerGpu is < 1 or > SlotPlan.MaxSlotsPerGpu)
        {
            problems.Add($"Grid:SlotsPerGpu {options.SlotsPerGpu} must be in 1..{SlotPlan.MaxSlotsPerGpu}");
        }

        Throw(problems);
    }

    private static void Throw(List<string> problems)
    {
        if (problems.Count > 0)
        {
            throw new InvalidOperationException("grid configuration is invalid: " + string.Join("; ", problems));
        }
    }
}
