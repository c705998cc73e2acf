using Alpt.Grid.Abstractions.Environments;
using Alpt.Grid.Grains.Hosting;
using Microsoft.Extensions.Options;

namespace Alpt.Grid.Grains.Environments;

/// <summary>Makes the bytes of a dataset: the environments project plugs its generator in here.</summary>
public delegate byte[] DatasetGenerator(DatasetKey key, CancellationToken cancellationToken);

/// <summary>
/// Worker-side access to datasets: the stored artifact when there is one (hash-checked), else generated
/// here under the environment grain's claim and stored for everyone else. A corrupt artifact is
/// reported and regenerated.
/// </summary>
public sealed class DatasetCache(IGrainFactory grains, IArtifactStore artifacts, DatasetGenerator generator, IOptions<GridGrainOptions> options, TimeProvider time)
{
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
                    return await artifacts.GetAsync(artifact, cancellationToken);
                }
                catch (CorruptArtifactException)
                {
                    await environment.ReportCorrupt(key, artifact);
                    continue;
                }
            }

            if (lease.GenerationClaim is { } claim)
            {
                var bytes = await Task.Run(() => generator(key, cancellationToken), cancellationToken);
                var stored = await artifacts.PutAsync(key.ArtifactName, bytes, cancellationToken);
                await environment.DatasetStored(key, claim, stored);
                return bytes;
            }

            // Another worker is generating it: wait for its artifact.
            await Task.Delay(wait, time, cancellationToken);
            wait = TimeSpan.FromMilliseconds(Math.Min(wait.TotalMilliseconds * 2, 2000));
        }
    }
}
