using System.ComponentModel;
using Alpt.Grid.Silo.Hosting;
using Alpt.Grid.Silo.Workers;
using Microsoft.Extensions.Configuration;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Alpt.Grid.Console.Commands.Grid;

/// <summary>
/// `alpt grid slots [SPEC]`: the slot plan a silo would run here (slot, device, threads), the same lines
/// a silo logs at start. Touches no GPU: the GPU count is --gpus, else CUDA_VISIBLE_DEVICES, else the
/// CUDA runtime (the CUDA build only).
/// </summary>
public sealed class GridSlotsCommand(IAnsiConsole console) : Command<GridSlotsCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "[SPEC]")]
        [Description("A Grid:Slots value (cpu*N, cuda*N, cuda, gpu, cuda:K*M, mixes such as cuda*2,cpu*4, none); default: ALPT_Grid__Slots, else one CPU slot per core.")]
        public string? Spec { get; init; }

        [CommandOption("--per-gpu")]
        [Description("Slots on each GPU named without a count (Grid:SlotsPerGpu); default: ALPT_Grid__SlotsPerGpu, else 1.")]
        public int? PerGpu { get; init; }

        [CommandOption("--gpus")]
        [Description("Plan for this many visible GPUs instead of asking CUDA_VISIBLE_DEVICES or the runtime.")]
        public int? Gpus { get; init; }

        [CommandOption("--cores")]
        [Description("Plan for this many cores instead of this machine's.")]
        public int? Cores { get; init; }

        [CommandOption("--json")]
        [Description("Print the plan as JSON.")]
        public bool Json { get; init; }

        public override ValidationResult Validate() =>
            Gpus is < 0 or > SlotSpec.Limit ? ValidationResult.Error($"--gpus must be between 0 and {SlotSpec.Limit}")
            : Cores is < 1 or > 65536 ? ValidationResult.Error("--cores must be between 1 and 65536")
            : ValidationResult.Success();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var configured = GridHosting.ReadOptions(new ConfigurationBuilder().AddEnvironmentVariables("ALPT_").Build());
        var plan = SlotPlan.Create(
            settings.Spec ?? configured.Slots,
            settings.PerGpu ?? configured.SlotsPerGpu,
            SlotHardware.Detect(settings.Gpus, settings.Cores));
        if (settings.Json)
        {
            console.WriteJson(new
            {
                spec = plan.Spec.Text,
                slotsPerGpu = plan.SlotsPerGpu,
                cores = plan.Hardware.Cores,
                visibleGpus = plan.Hardware.VisibleGpus,
                gpuSource = plan.Hardware.GpuSource,
                oversubscribed = plan.Oversubscribed,
                slots = plan.Slots.Select(s => new { slot = s.Index, device = s.Device, threads = s.Threads }),
            });
            return 0;
        }

        foreach (var line in plan.Describe())
        {
            console.WriteRaw(line + Environment.NewLine);
        }

        return 0;
    }
}
