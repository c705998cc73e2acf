using Alpt.Grid.Abstractions.Environments;
using System.Diagnostics;
using Alpt.Grid.Grains.Hosting;
using Alpt.Grid.Grains.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Alpt.Grid.Grains.Environments;

/// <summary>Makes the bytes of a dataset: the environments project plugs its generator in here.</summary>
public delegate byte[] DatasetGenerator(DatasetKey key, CancellationToken cancellationToken);

/// <summary>
/// Worker-side access to datasets: the stored artifact when there is one (hash-checked), else generated
/// here under the environment grain's claim and stored for everyone else. A corrupt artifact is
/// reported and regenerated.
/// </summary>
public sealed class DatasetCache(IGrainFactory grains, IArtifactStore artifacts, DatasetGenerator generator, IOptions<GridGrainOptions> options, TimeProvider time, GridMetrics? metrics = null, ILogger<DatasetCache>? logger = null)
{
    // "local", "blob": the store's kind, a bounded label.
    private readonly string storeKind = artifacts.GetType().Name.Replace("ArtifactStore", "", StringComparison.Ordinal).ToLowerInvariant();

    public async Task<byte[]> GetAsync(DatasetKey key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        var environment = grains.GetGrain<IEnvironmentGrain>(EnvironmentGrain.KeyOf(key.Game, key.Variant));
        var wait = TimeSpan.FromMilliseconds(50);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var lease = await environment.AcquireDataset(key, options.Value.DatasetClaimDuration);
            if (lease.Artifact is { } artifact)
            {
                try
                {
                    var started = Stopwatch.GetTimestamp();
                    var content = await artifacts.GetAsync(artifact, cancellationToken);
                    metrics?.ArtifactRead(storeKind, content.Length, Stopwatch.GetElapsedTime(started));
                    return content;
                }
                catch (CorruptArtifactException)
                {
                    await environment.ReportCorrupt(key, artifact);
                    continue;
                }
            }

            if (lease.GenerationClaim is { } claim)
            {
                var generating = Stopwatch.GetTimestamp();
                logger?.LogInformation("Generating dataset {Dataset}: {Transitions} transitions of {Game}/{Variant}, seed {Seed}", key.ArtifactName, key.Transitions, key.Game, key.Variant, key.Seed);
                var bytes = await Task.Run(() => generator(key, cancellationToken), cancellationToken);
                var took = Stopwatch.GetElapsedTime(generating);
                metrics?.DatasetGenerated(EnvironmentGrain.KeyOf(key.Game, key.Variant), took);
                logger?.LogInformation("Generated dataset {Dataset} in {Seconds:F1} s ({Bytes} bytes); storing it", key.ArtifactName, took.TotalSeconds, bytes.Length);
                var writing = Stopwatch.GetTimestamp();
                var stored = await artifacts.PutAsync(key.ArtifactName, bytes, cancellationToken);
                metrics?.ArtifactWritten(storeKind, bytes.Length, Stopwatch.GetElapsedTime(writing));
                await environment.DatasetStored(key, claim, stored);
                return bytes;
            }

            // Another worker is generating it: wait for its artifact.
            await Task.Delay(wait, time, cancellationToken);
            wait = TimeSpan.FromMilliseconds(Math.Min(wait.TotalMilliseconds * 2, 2000));
        }
    }
}
