using Spectre.Console.Cli;

namespace Alpt.Grid.Console.Commands.Learning;

/// <summary>The learning branch of the command tree: single trials, method comparisons, the benchmark.</summary>
public static class LearningCommands
{
    public static void Register(IConfigurator config)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.AddBranch("trial", trial =>
        {
            trial.SetDescription("Run ALPT trials in this process, without the grid.");
            trial.AddCommand<TrialRunCommand>("run")
                .WithDescription("Run one trial (one seed of one method on one target) and print its result.")
                .WithExample("trial", "run", "--target", "breakout", "--sources", "freeway,asterix", "--budget", "500", "--method", "alpt", "--seed", "1");
            trial.AddCommand<TrialCompareCommand>("compare")
                .WithDescription("Run several methods × seeds on one or more targets and print IDM accuracy and normalized return, mean ± std.")
                .WithExample("trial", "compare", "--targets", "breakout,freeway", "--methods", "idm-target,alpt", "--seeds", "3");
        });
        config.AddBranch("learn", learn =>
        {
            learn.SetDescription("Learning pipeline tools.");
            learn.AddCommand<LearnBenchCommand>("bench")
                .WithDescription("Measure IDM training, labelling and Decision Transformer training throughput and GFLOP/s against a large matmul.");
        });
    }
}
