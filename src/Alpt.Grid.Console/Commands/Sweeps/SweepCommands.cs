using Spectre.Console.Cli;

namespace Alpt.Grid.Console.Commands.Sweeps;

/// <summary>`alpt sweep …`: launch sweeps, watch them live, query and plot their results.</summary>
public static class SweepCommands
{
    public static void Register(IConfigurator config)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.AddBranch("sweep", sweep =>
        {
            sweep.SetDescription("Run, launch, watch, query and plot sweeps (target × sources × budget × method × seed grids).");
            sweep.AddCommand<SweepRunCommand>("run")
                .WithDescription("Run a sweep to the end with live progress: on the configured cluster, or in an embedded grid in this process (resumable: run it again).")
                .WithExample("sweep", "run", "--preset", "quick")
                .WithExample("sweep", "run", "examples/sweep.yaml");
            sweep.AddCommand<SweepLaunchCommand>("launch")
                .WithDescription("Launch a sweep and return (idempotent: the same spec again re-queues what is unfinished).")
                .WithExample("sweep", "launch", "examples/sweep.yaml", "--gateway", "127.0.0.1:30000");
            sweep.AddCommand<SweepStatusCommand>("status").WithDescription("Counts by state, ETA and recent errors of a sweep.");
            sweep.AddCommand<SweepWatchCommand>("watch").WithDescription("Watch a running sweep live until it finishes.");
            sweep.AddCommand<SweepListCommand>("list").WithDescription("List the sweeps of the grid.");
            sweep.AddCommand<SweepCancelCommand>("cancel").WithDescription("Cancel every unfinished trial of a sweep.");
            sweep.AddCommand<SweepRetryCommand>("retry-failed").WithDescription("Queue the failed (and cancelled) trials of a sweep again.");
            sweep.AddCommand<SweepResultsCommand>("results")
                .WithDescription("One row per experiment (mean ± std and 95% CI over seeds) and alpt vs idm-target / labelled-only at each budget.")
                .WithExample("sweep", "results", "quick", "--format", "csv", "--out", "quick.csv");
            sweep.AddCommand<SweepPlotCommand>("plot")
                .WithDescription("Plot normalized return and IDM accuracy against annotation budget (PNG or SVG).")
                .WithExample("sweep", "plot", "quick", "--out", "quick.png");
            sweep.AddCommand<SweepCurvesCommand>("curves")
                .WithDescription("Plot the stored training curves (IDM, fine-tuning and policy loss; return while training): mean and band over seeds, a line per method (PNG or SVG).")
                .WithExample("sweep", "curves", "quick", "--phase", "policy", "--out", "curves.png");
            sweep.AddCommand<SweepReportCommand>("report")
                .WithDescription("Write the sweep as one self-contained HTML page: spec, experiments, paired comparisons, budget plots, curves, failures, timings (works while it runs).")
                .WithExample("sweep", "report", "quick", "--out", "quick.html");
        });
    }
}
