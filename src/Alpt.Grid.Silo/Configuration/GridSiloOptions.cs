namespace Alpt.Grid.Silo.Configuration;

/// <summary>How the silos find each other and keep state.</summary>
public enum ClusteringMode
{
    /// <summary>One process on localhost; grain state in files under <see cref="GridSiloOptions.DataDirectory"/>.</summary>
    Embedded = 0,

    /// <summary>Membership and grain state in Azure Tables, artifacts in Azure Blobs (Azurite locally).</summary>
    Azure = 1,
}

/// <summary>
/// The silo's settings, bound from the "Grid" configuration section (appsettings.json, environment
/// variables ALPT_Grid__*, command line --Grid:Key=value). Development and production differ only here.
/// </summary>
public sealed class GridSiloOptions
{
    public const string Section = "Grid";

    /// <summary>Configuration key of the storage connection string (also read from ConnectionStrings:AlptGrid).</summary>
    public const string ConnectionStringName = "AlptGrid";

    public ClusteringMode Clustering { get; set; } = ClusteringMode.Embedded;

    public string ClusterId { get; set; } = "alpt";

    public string ServiceId { get; set; } = "alpt-grid";

    /// <summary>A name for this silo in logs and worker ids; defaults to host name and silo port.</summary>
    public string? SiloName { get; set; }

    /// <summary>Embedded mode: where grain state and artifacts are kept.</summary>
    public string DataDirectory { get; set; } = Path.Combine(".alpt", "grid");

    /// <summary>
    /// Azure mode: the storage connection string ("UseDevelopmentStorage=true" for Azurite). Only from
    /// configuration or the environment; never logged.
    /// </summary>
    public string? StorageConnectionString { get; set; }

    /// <summary>Blob container for artifacts (Azure mode).</summary>
    public string ArtifactContainer { get; set; } = "alpt-artifacts";

    public int SiloPort { get; set; } = 11111;

    public int GatewayPort { get; set; } = 30000;

    /// <summary>The address silos and the gateway bind to and advertise; loopback unless configured.</summary>
    public string AdvertisedAddress { get; set; } = "127.0.0.1";

    /// <summary>Listen on every interface while advertising <see cref="AdvertisedAddress"/> (containers).</summary>
    public bool ListenOnAnyAddress { get; set; }

    /// <summary>
    /// Azure mode inside Kubernetes: Orleans' Kubernetes hosting (silo name and advertised address from
    /// the pod: POD_NAME, POD_NAMESPACE, POD_IP; listens on every address; pods of dead silos are deleted).
    /// </summary>
    public bool KubernetesHosting { get; set; }

    /// <summary>
    /// Worker slots (grammar: <see cref="Workers.SlotSpec"/>): "cpu*N", "cuda*N" (cuda:0 … cuda:N-1), "cuda" or
    /// "gpu" (every visible GPU), "cuda:1*3" (three slots sharing cuda:1), mixes ("cuda*2,cpu*4"), "none"
    /// (coordinator only), or empty for one CPU slot per core.
    /// </summary>
    public string Slots { get; set; } = "";

    /// <summary>Slots on each GPU named without a slot count ("cuda", "gpu", "cuda*N", "cuda:K"): several small trials share a large GPU.</summary>
    public int SlotsPerGpu { get; set; } = 1;

    /// <summary>How long a lease lasts without a heartbeat.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How often a running trial heartbeats; empty means a third of the lease.</summary>
    public TimeSpan? HeartbeatInterval { get; set; }

    /// <summary>
    /// A trial that reports no new progress for this long is taken as hung: it is cancelled and the
    /// attempt fails (heartbeats come from the slot, so a hung trial would otherwise hold its lease forever).
    /// </summary>
    public TimeSpan TrialStallTimeout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How long an idle slot waits at most between asking the queue for work.</summary>
    public TimeSpan MaxIdlePoll { get; set; } = TimeSpan.FromMilliseconds(500);

    public int QueuePartitions { get; set; } = 8;

    /// <summary>
    /// Once the silo is asked to stop (SIGTERM), how long a running trial may go on to finish and report
    /// its result; past it the trial is cancelled and handed back to the queue (another silo runs it at
    /// once). Zero hands every running trial back at once.
    /// </summary>
    public TimeSpan DrainGrace { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The longest a silo takes to stop, whatever storage or the cluster does: the worker drains within
    /// <see cref="WorkerStopBudget"/>, the silo leaves the cluster in the rest, and past it the process
    /// exits anyway. Deployments give the process more than this before they kill it.
    /// </summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a silo starting while its storage does not answer (Azure clustering: the membership
    /// table cannot be reached) keeps trying before it exits with the error. It retries with backoff,
    /// a fresh silo each time, and logs every attempt.
    /// </summary>
    public TimeSpan StartupStorageWait { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Which trial function the workers run: the learning pipeline by default.</summary>
    public TrialExecutorOptions Executor { get; set; } = new();

    /// <summary>Where this silo serves Prometheus metrics (Grid:Metrics:Port, 9464 by default).</summary>
    public Telemetry.SiloMetricsOptions Metrics { get; set; } = new();

    /// <summary>Where this silo serves the Orleans dashboard (Grid:Dashboard:Port; off unless set; loopback unless Grid:Dashboard:Host).</summary>
    public Telemetry.SiloDashboardOptions Dashboard { get; set; } = new();

    /// <summary>Mutual TLS between silos and from clients (Grid:Tls:CertificatePath; off when unset).</summary>
    public GridTlsOptions Tls { get; set; } = new();

    public TimeSpan EffectiveHeartbeat => HeartbeatInterval ?? LeaseDuration / 3;

    /// <summary>The worker's part of <see cref="ShutdownTimeout"/>: two thirds, the rest is for the silo to leave the cluster.</summary>
    public TimeSpan WorkerStopBudget => ShutdownTimeout * 2 / 3;
}

/// <summary>Which trial executor the workers use, and the synthetic one's delays and faults for tests.</summary>
public sealed class TrialExecutorOptions
{
    /// <summary>"learning" (real ALPT trials, the default), "noop" (instant) or "synthetic" (delay, faults, execution log).</summary>
    public string Kind { get; set; } = "learning";

    /// <summary>How long each synthetic trial takes.</summary>
    public int DelayMilliseconds { get; set; }

    /// <summary>Attempts 1..N of every trial throw.</summary>
    public int FailFirstAttempts { get; set; }

    /// <summary>Seeds whose trials always throw.</summary>
    public int[] ThrowSeeds { get; set; } = [];

    /// <summary>Seeds whose trials run out of memory (an <see cref="OutOfMemoryException"/> at the end of the run).</summary>
    public int[] OutOfMemorySeeds { get; set; } = [];

    /// <summary>Seeds whose trials hang (stop heartbeating) until cancelled.</summary>
    public int[] HangSeeds { get; set; } = [];

    /// <summary>A file each execution appends "seedId attempt worker" to (to count re-runs in tests); one per silo process.</summary>
    public string? ExecutionLog { get; set; }
}
