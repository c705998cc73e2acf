using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Alpt.Environments.Datasets;
using Alpt.Environments.Policies;
using Alpt.Grid.Abstractions.Environments;
using Alpt.Grid.Grains.Environments;
using Alpt.Learning.Trials;

namespace Alpt.Grid.Silo.Trials;

/// <summary>
/// Datasets for trials through the grid's dataset cache: the environment grain hands out one
/// generation claim per dataset, the bytes are stored once as a hash-checked artifact, and every
/// experiment on every silo reuses them. Decoded datasets are also kept in this process, so the seeds
/// of an experiment do not decode the same artifact again.
/// </summary>
public sealed class GridDatasets(DatasetCache cache) : IDatasetSource
{
    private readonly ConcurrentDictionary<DatasetSpec, SharedLoad> loads = new();

    /// <summary>
    /// The dataset of <paramref name="spec"/>, loaded once for every trial that asks for it at the same time.
    /// The load is not tied to the first caller's token: each caller waits with its own, so cancelling one
    /// trial fails only that trial, never the others waiting on the same dataset. The load itself is cancelled
    /// when every caller waiting on it has gone.
    /// </summary>
    public TrajectoryDataset Get(DatasetSpec spec, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        while (true)
        {
            var load = loads.GetOrAdd(spec, s => new SharedLoad(this, s));
            if (!load.Join())
            {
                // Its last waiter just left and cancelled it: start another.
                loads.TryRemove(new KeyValuePair<DatasetSpec, SharedLoad>(spec, load));
                continue;
            }

            try
            {
                // Trials run on dedicated threads, never on the grain scheduler: blocking here is fine.
                return load.Task.WaitAsync(cancellationToken).GetAwaiter().GetResult();
            }
            catch when (load.Task.IsFaulted || load.Task.IsCanceled)
            {
                // A failed load must not stay cached.
                loads.TryRemove(new KeyValuePair<DatasetSpec, SharedLoad>(spec, load));
                throw;
            }
            finally
            {
                if (load.Leave())
                {
                    loads.TryRemove(new KeyValuePair<DatasetSpec, SharedLoad>(spec, load));
                }
            }
        }
    }

    /// <summary>One load of a dataset, with its own cancellation, shared by the callers waiting on it.</summary>
    private sealed class SharedLoad
    {
        private readonly Lock gate = new();
        private readonly CancellationTokenSource cancel = new();
        private int waiters;
        private bool abandoned;

        public SharedLoad(GridDatasets owner, DatasetSpec spec) =>
            Task = System.Threading.Tasks.Task.Run(() => owner.Load(spec, cancel.Token), cancel.Token);

        public Task<TrajectoryDataset> Task { get; }

        public bool Join()
        {
            lock (gate)
            {
                if (abandoned)
                {
                    return false;
                }

                waiters++;
                return true;
            }
        }

        /// <summary>Leaves; true when this was the last waiter of an unfinished load, which is then cancelled.</summary>
        public bool Leave()
        {
            lock (gate)
            {
                waiters--;
                if (waiters > 0 || Task.IsCompletedSuccessfully)
                {
                    return false;
                }

                abandoned = true;
            }

            cancel.Cancel();
            return true;
        }
    }

    /// <summary>The grid's key of a dataset spec: every value the dataset is a function of.</summary>
    public static DatasetKey KeyOf(DatasetSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        // Named mixes: the default one, played by observed or by clairvoyant experts. (Datasets of the suite before
        // observed experts were keyed "default": those artifacts are never read again.)
        var mix = spec.Behaviours.SequenceEqual(BehaviourMix.Default) ? "observed"
            : spec.Behaviours.SequenceEqual(BehaviourMix.Clairvoyant) ? "clairvoyant"
            : "mix" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join(';', spec.Behaviours.Select(b => FormattableString.Invariant($"{b.Name}:{b.Epsilon}:{b.Weight}:{b.Sight}"))))))[..12];
        var detail = FormattableString.Invariant($"{mix}-x{spec.Scale}-sticky{spec.StickyActions.ToString("0.###", CultureInfo.InvariantCulture)}");
        return new DatasetKey(spec.Game, spec.Variant, spec.Transitions, detail, checked((int)spec.Seed));
    }

    private TrajectoryDataset Load(DatasetSpec spec, CancellationToken cancellationToken)
    {
        if (!spec.Behaviours.SequenceEqual(BehaviourMix.Default) && !spec.Behaviours.SequenceEqual(BehaviourMix.Clairvoyant))
        {
            // Only the named mixes can be made again from a dataset key: generate here.
            return Alpt.Environments.Datasets.DatasetGenerator.Generate(spec, null, cancellationToken);
        }

        // Trials run on dedicated threads, never on the grain scheduler: blocking here is fine.
        var bytes = cache.GetAsync(KeyOf(spec), cancellationToken).GetAwaiter().GetResult();
        return Decode(bytes);
    }

    /// <summary>The grid's dataset generator: the spec a key names (a named behaviour mix), generated and encoded.</summary>
    public static byte[] Generate(DatasetKey key, CancellationToken cancellationToken) => Generate(SpecOf(key), cancellationToken);

    /// <summary>The inverse of <see cref="KeyOf"/> for the named behaviour mixes.</summary>
    public static DatasetSpec SpecOf(DatasetKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var match = System.Text.RegularExpressions.Regex.Match(key.BehaviourMix, @"^(observed|clairvoyant)-x(\d+)-sticky([0-9.]+)$");
        if (!match.Success)
        {
            throw new ArgumentException($"dataset {key.ArtifactName}: behaviour mix '{key.BehaviourMix}' is not one the grid can generate (observed|clairvoyant-x<scale>-sticky<p>)");
        }

        var mix = match.Groups[1].Value == "observed" ? BehaviourMix.Default : BehaviourMix.Clairvoyant;
        return Alpt.Environments.Datasets.DatasetGenerator.Normalize(new DatasetSpec(
            key.Game, key.Variant, key.Transitions, mix, (ulong)key.Seed,
            int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture), double.Parse(match.Groups[3].Value, CultureInfo.InvariantCulture)));
    }

    /// <summary>Generates the dataset of <paramref name="spec"/> and encodes it in the dataset file format.</summary>
    public static byte[] Generate(DatasetSpec spec, CancellationToken cancellationToken)
    {
        var dataset = Alpt.Environments.Datasets.DatasetGenerator.Generate(spec, null, cancellationToken);
        var path = Path.Combine(Path.GetTempPath(), $"alpt-dataset-{Guid.NewGuid():N}.bin");
        try
        {
            DatasetFile.Write(dataset, path);
            return File.ReadAllBytes(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>Decodes dataset file bytes (the format checks its own payload hash too).</summary>
    public static TrajectoryDataset Decode(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        var path = Path.Combine(Path.GetTempPath(), $"alpt-dataset-{Guid.NewGuid():N}.bin");
        try
        {
            File.WriteAllBytes(path, bytes);
            return DatasetFile.Read(path);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
