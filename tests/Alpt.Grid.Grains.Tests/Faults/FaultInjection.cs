using Orleans.Storage;

namespace Alpt.Grid.Grains.Tests.Faults;

/// <summary>When an injected fault strikes: before the call or write takes effect, or after it took effect but before the caller hears back.</summary>
public enum FaultTiming
{
    BeforeEffect,
    AfterEffect,
}

/// <summary>
/// One armed fault at a time, shared by every silo of the in-process test cluster: the Nth call of a
/// grain method (site "IWorkQueueGrain.Lease") or the Nth write of a grain state (site
/// "storage:seed") fails. The grain call filter and <see cref="FaultyGrainStorage"/> consult it.
/// </summary>
public static class FaultInjection
{
    private static readonly Lock Gate = new();
    private static Armed? armed;

    /// <summary>
    /// Arms a fault for calls or writes at <paramref name="site"/> of grains whose key contains
    /// <paramref name="grain"/> (any grain when null); disposing the handle disarms it.
    /// <see cref="Handle.Fired"/> says whether it struck.
    /// </summary>
    public static Handle Arm(string site, int nth, FaultTiming timing, string? grain = null) => Arm(site, nth, timing, grain is null ? null : [grain], matchArguments: false);

    /// <summary>
    /// Arms a fault for calls or writes at <paramref name="site"/> that concern one of <paramref name="scope"/>
    /// (a grain key containing one of them, or, with <paramref name="matchArguments"/>, a call argument that does),
    /// so that calls the periodic reconciliation makes for other tests' sweeps do not count; any call when null.
    /// </summary>
    public static Handle Arm(string site, int nth, FaultTiming timing, IReadOnlyList<string>? scope, bool matchArguments)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(nth, 1);
        lock (Gate)
        {
            armed = new Armed(site, nth, timing, scope, matchArguments);
            return new Handle(armed);
        }
    }

    /// <summary>The site of a grain method, as the filter names it.</summary>
    public static string CallSite(Type grainInterface, string method) => $"{grainInterface.Name}.{method}";

    /// <summary>The site of a grain state's writes, as <see cref="FaultyGrainStorage"/> names it.</summary>
    public static string WriteSite(string stateName) => $"storage:{stateName}";

    /// <summary>Whether this call at <paramref name="site"/> is the one to fail, and when.</summary>
    internal static FaultTiming? Strike(string site, GrainId grainId, object?[]? arguments = null)
    {
        lock (Gate)
        {
            if (armed is not { } a || a.Site != site || a.Struck || !a.Concerns(grainId, arguments))
            {
                return null;
            }

            a.Seen++;
            if (a.Seen < a.Nth)
            {
                return null;
            }

            a.Struck = true;
            return a.Timing;
        }
    }

    /// <summary>The grain call filter: fails the armed call before or after invoking it.</summary>
    public static async Task Filter(IIncomingGrainCallContext context)
    {
        var site = CallSite(context.InterfaceMethod.DeclaringType!, context.InterfaceMethod.Name);
        var timing = Strike(site, context.TargetId, context.Request.GetArgumentCount() == 0 ? [] : [.. Enumerable.Range(0, context.Request.GetArgumentCount()).Select(context.Request.GetArgument)]);
        if (timing == FaultTiming.BeforeEffect)
        {
            throw InjectedFaultException.Create(site, timing.Value);
        }

        await context.Invoke();
        if (timing == FaultTiming.AfterEffect)
        {
            throw InjectedFaultException.Create(site, timing.Value);
        }
    }

    internal sealed class Armed(string site, int nth, FaultTiming timing, IReadOnlyList<string>? scope, bool matchArguments)
    {
        public IReadOnlyList<string>? Scope { get; } = scope;

        public string Site { get; } = site;

        public int Nth { get; } = nth;

        public FaultTiming Timing { get; } = timing;

        public int Seen { get; set; }

        public bool Struck { get; set; }

        public bool Concerns(GrainId grainId, object?[]? arguments)
        {
            if (Scope is null)
            {
                return true;
            }

            var key = grainId.Key.ToString()!;
            return Scope.Any(s => key.Contains(s, StringComparison.Ordinal)
                || (matchArguments && arguments is not null && arguments.Any(a => a?.ToString()?.Contains(s, StringComparison.Ordinal) == true)));
        }
    }

    public sealed class Handle : IDisposable
    {
        private readonly Armed fault;

        internal Handle(Armed fault) => this.fault = fault;

        public bool Fired
        {
            get
            {
                lock (Gate)
                {
                    return fault.Struck;
                }
            }
        }

        public void Dispose()
        {
            lock (Gate)
            {
                if (ReferenceEquals(armed, fault))
                {
                    armed = null;
                }
            }
        }
    }
}

/// <summary>The error an injected fault raises (an ordinary exception type, so it crosses silos as any error would).</summary>
internal static class InjectedFaultException
{
    public static InvalidOperationException Create(string site, FaultTiming timing) => new($"fault injected by the test at {site} ({timing})");
}

/// <summary>Grain storage that fails the armed write: before it reaches the inner storage, or after the inner storage stored it.</summary>
public sealed class FaultyGrainStorage(IGrainStorage inner) : IGrainStorage
{
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.ReadStateAsync(stateName, grainId, grainState);

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var site = FaultInjection.WriteSite(stateName);
        var timing = FaultInjection.Strike(site, grainId);
        if (timing == FaultTiming.BeforeEffect)
        {
            throw InjectedFaultException.Create(site, timing.Value);
        }

        await inner.WriteStateAsync(stateName, grainId, grainState);
        if (timing == FaultTiming.AfterEffect)
        {
            throw InjectedFaultException.Create(site, timing.Value);
        }
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.ClearStateAsync(stateName, grainId, grainState);
}
