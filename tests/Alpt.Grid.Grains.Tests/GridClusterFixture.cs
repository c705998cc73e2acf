using Alpt.Grid.Grains.Hosting;
using Alpt.Grid.Silo.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.Runtime.Hosting;
using Orleans.Storage;
using Orleans.TestingHost;

namespace Alpt.Grid.Grains.Tests;

/// <summary>
/// An in-process Orleans test cluster of two silos with the grid grains, durable directory storage in
/// a temp folder, one queue partition (so tests can lease a given seed), a fake grid clock, and fault
/// injection (<see cref="Faults.FaultInjection"/>) at every grain call and state write.
/// </summary>
public sealed class GridClusterFixture : IAsyncLifetime
{
    public static FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    public static string StateDirectory { get; } = Path.Combine(Path.GetTempPath(), "alpt-grains-tests-" + Guid.NewGuid().ToString("N"));

    /// <summary>Short, so that the periodic reconciliation of active sweeps can be seen within a test.</summary>
    public static TimeSpan ReconcileInterval { get; } = TimeSpan.FromSeconds(2);

    public TestCluster Cluster { get; private set; } = null!;

    public IGrainFactory Grains => Cluster.GrainFactory;

    /// <summary>Experiments whose SeedFinished calls fail, as they do while the experiment's silo is dead and not yet declared so.</summary>
    public static System.Collections.Concurrent.ConcurrentDictionary<string, bool> Unreachable { get; } = new(StringComparer.Ordinal);

    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder(2);
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
        if (Directory.Exists(StateDirectory))
        {
            Directory.Delete(StateDirectory, recursive: true);
        }
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            siloBuilder.Services.AddSingleton(new GridClock(Clock));
            siloBuilder.Services.Configure<GridGrainOptions>(o =>
            {
                o.QueuePartitions = 1;
                o.LeaseCheckInterval = TimeSpan.FromHours(1);
                o.ReconcileInterval = ReconcileInterval;
            });
            siloBuilder.AddIncomingGrainCallFilter(context =>
                context.InterfaceMethod.Name == nameof(Abstractions.Experiments.IExperimentGrain.SeedFinished)
                    && Unreachable.ContainsKey(context.TargetId.Key.ToString()!)
                    ? throw new InvalidOperationException($"experiment {context.TargetId.Key} is unreachable (injected by the test)")
                    : context.Invoke());
            siloBuilder.AddIncomingGrainCallFilter(Faults.FaultInjection.Filter);
            siloBuilder.Services.AddGrainStorage(GridGrainOptions.StorageName, (sp, _) => new Faults.FaultyGrainStorage(
                new DirectoryGrainStorage(StateDirectory, new OrleansGrainStorageSerializer(sp.GetRequiredService<Orleans.Serialization.Serializer>()))));
        }
    }
}

[CollectionDefinition(Name)]
public sealed class GridClusterCollection : ICollectionFixture<GridClusterFixture>
{
    public const string Name = "grid cluster";
}
