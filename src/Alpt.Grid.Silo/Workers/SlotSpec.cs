using System.Globalization;
using Alpt.Grid.Abstractions.Trials;

namespace Alpt.Grid.Silo.Workers;

/// <summary>
/// One comma-separated part of a slot spec. <see cref="Device"/> is a CUDA device index, or null for
/// "every device up to <see cref="Count"/>" (CUDA) / not applicable (CPU); <see cref="Count"/> is null
/// where the spec leaves it to the hardware (every visible GPU) or to <c>Grid:SlotsPerGpu</c>.
/// </summary>
public sealed record SlotTerm(DeviceKind Kind, int? Device, int? Count);

/// <summary>
/// The worker slots a silo is asked for, as written (<c>Grid:Slots</c>), parsed without touching any
/// hardware; <see cref="SlotPlan.Create"/> turns it into slots on devices with thread budgets.
/// </summary>
/// <remarks>
/// Grammar (case-insensitive, parts separated by commas, <c>gpu</c> is another name for <c>cuda</c>):
/// <list type="bullet">
/// <item><c>cpu</c>, <c>cpu*N</c>: one or N CPU slots.</item>
/// <item><c>cuda</c>: every visible GPU (CUDA_VISIBLE_DEVICES or the runtime), <c>Grid:SlotsPerGpu</c> slots on each.</item>
/// <item><c>cuda*N</c>: GPUs cuda:0 … cuda:N-1, <c>Grid:SlotsPerGpu</c> slots on each.</item>
/// <item><c>cuda:K</c>: <c>Grid:SlotsPerGpu</c> slots on cuda:K; <c>cuda:K*M</c>: M slots sharing cuda:K.</item>
/// <item><c>none</c> or <c>0</c>: no slots (a coordinator); empty: one CPU slot per core.</item>
/// </list>
/// </remarks>
public sealed record SlotSpec(string Text, IReadOnlyList<SlotTerm> Terms, bool CpuPerCore)
{
    /// <summary>The most slots (and the highest CUDA index + 1) a silo may have: beyond it a typo is likelier than intent.</summary>
    public const int Limit = 1024;

    /// <summary>Parses a slot spec; an <see cref="ArgumentException"/> names the spec and the part that is wrong.</summary>
    public static SlotSpec Parse(string? text)
    {
        var original = text ?? "";
        var trimmed = original.Trim().ToLowerInvariant();
        if (trimmed.Length == 0)
        {
            return new SlotSpec(original, [], CpuPerCore: true);
        }

        if (trimmed is "none" or "0")
        {
            return new SlotSpec(original, [], CpuPerCore: false);
        }

        var terms = new List<SlotTerm>();
        foreach (var part in trimmed.Split(',', StringSplitOptions.TrimEntries))
        {
            if (part.Length == 0)
            {
                throw Bad(original, part, "an empty part (two commas, or a trailing comma)");
            }

            terms.Add(ParseTerm(original, part));
        }

        return new SlotSpec(original, terms, CpuPerCore: false);
    }

    /// <summary>Whether the spec needs the number of visible GPUs (a bare "cuda" or "gpu").</summary>
    public bool NeedsGpuCount => Terms.Any(t => t.Kind == DeviceKind.Cuda && t.Device is null && t.Count is null);

    private static SlotTerm ParseTerm(string original, string part)
    {
        var star = part.IndexOf('*', StringComparison.Ordinal);
        var device = (star < 0 ? part : part[..star]).Trim();
        int? count = null;
        if (star >= 0)
        {
            count = Number(part[(star + 1)..].Trim(), 1, Limit)
                ?? throw Bad(original, part, $"should be DEVICE*N with 1 ≤ N ≤ {Limit}");
        }

        var colon = device.IndexOf(':', StringComparison.Ordinal);
        var name = colon < 0 ? device : device[..colon];
        var kind = name switch
        {
            "cpu" => DeviceKind.Cpu,
            "cuda" or "gpu" => DeviceKind.Cuda,
            _ => throw Bad(original, part, $"device '{device}' is not cpu, cuda, cuda:N or gpu"),
        };
        if (colon < 0)
        {
            return new SlotTerm(kind, null, kind == DeviceKind.Cpu ? count ?? 1 : count);
        }

        if (kind == DeviceKind.Cpu)
        {
            throw Bad(original, part, "a CPU slot has no device index (cpu or cpu*N)");
        }

        var index = Number(device[(colon + 1)..], 0, Limit - 1)
            ?? throw Bad(original, part, $"'{device}' should be cuda:K with 0 ≤ K < {Limit}");
        return new SlotTerm(kind, index, count);
    }

    private static int? Number(string text, int min, int max) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max ? n : null;

    private static ArgumentException Bad(string original, string part, string problem) =>
        new($"worker slots '{original}': '{part}' {problem}");
}
