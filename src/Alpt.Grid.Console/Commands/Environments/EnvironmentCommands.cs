using Spectre.Console.Cli;

namespace Alpt.Grid.Console.Commands.Environments;

/// <summary>The `env` and `dataset` branches of `alpt`: the arcade suite and its offline datasets.</summary>
public static class EnvironmentCommands
{
    public static void Register(IConfigurator config)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.AddBranch("env", env =>
        {
            env.SetDescription("The arcade suite: games, variants, reference returns, the expert playing, throughput.");
            env.AddCommand<EnvListCommand>("list")
                .WithDescription("List games, variants, action sets and random/expert mean returns (over 100 episodes).");
            env.AddCommand<EnvPlayCommand>("play")
                .WithDescription("Watch the scripted expert (or a noisy behaviour policy) play a game in the terminal.");
            env.AddCommand<EnvBenchCommand>("bench")
                .WithDescription("Steps per second of every game on one core (rendering included), and dataset generation time.");
        });
        config.AddBranch("dataset", dataset =>
        {
            dataset.SetDescription("Offline datasets: generate them deterministically, inspect them.");
            dataset.AddCommand<DatasetGenerateCommand>("generate")
                .WithDescription("Generate a dataset with the default behaviour mix and write it to a file.");
            dataset.AddCommand<DatasetInfoCommand>("info")
                .WithDescription("Validate a dataset file and show its spec, sizes, return distribution and action histogram.");
        });
    }
}
