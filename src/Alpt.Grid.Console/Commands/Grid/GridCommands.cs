using Spectre.Console.Cli;

namespace Alpt.Grid.Console.Commands.Grid;

/// <summary>`alpt grid …`: the grid's own tools.</summary>
public static class GridCommands
{
    public static void Register(IConfigurator config)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.AddBranch("grid", grid =>
        {
            grid.SetDescription("The Orleans grid itself: benchmarks and diagnostics.");
            grid.AddCommand<GridSlotsCommand>("slots")
                .WithDescription("Print the worker slot plan a silo would run here (slot, device, CPU threads), without touching any GPU.");
            grid.AddCommand<GridBenchCommand>("bench")
                .WithDescription("Push no-op trials through the full grain path (embedded silo, durable file storage) and report trials/s and per-trial overhead.");
        });
    }
}
