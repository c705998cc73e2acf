using System.ComponentModel;
using System.Globalization;
using Alpt.Environments.Core;
using Alpt.Environments.Policies;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Alpt.Grid.Console.Commands.Environments;

/// <summary>`alpt env list`: every game with its variants and reference returns.</summary>
public sealed class EnvListCommand(IAnsiConsole console) : Command<EnvListCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--json")]
        [Description("Print as JSON.")]
        public bool Json { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var games = GameCatalogue.Games.Select(game => new
        {
            name = game.Name,
            rules = game.Rules,
            actions = game.MinimalActions.Select(a => ActionVocabulary.Names[(int)a]).ToArray(),
            maxEpisodeSteps = game.MaxEpisodeSteps,
            disjointHead = new { offset = game.DisjointActionSpace.GlobalOffset, size = game.DisjointActionSpace.HeadSize },
            palette = game.Palette.Names.Zip(game.Palette.Colours, (n, c) => new { name = n, colour = c.ToString() }).ToArray(),
            variants = game.Variants.Select(v =>
            {
                cancellationToken.ThrowIfCancellationRequested();
                var score = ReferenceReturns.Get(game.Name, v);
                return new { name = v, randomReturn = score.RandomReturn, expertReturn = score.ExpertReturn, clairvoyantExpertReturn = score.ClairvoyantExpertReturn, episodes = score.Episodes };
            }).ToArray(),
        }).ToArray();

        if (settings.Json)
        {
            console.WriteJson(new { observation = "RGB uint8 CHW, 3x10x10 at scale 1", actionVocabulary = ActionVocabulary.Names, games });
            return 0;
        }

        var table = new Table().AddColumns("game", "variant", "actions", "random", "expert", "clairvoyant expert", "step cap");
        foreach (var game in games)
        {
            foreach (var variant in game.variants)
            {
                table.AddRow(
                    Markup.Escape(game.name),
                    Markup.Escape(variant.name),
                    Markup.Escape(string.Join(" ", game.actions)),
                    variant.randomReturn.ToString("F2", CultureInfo.InvariantCulture),
                    variant.expertReturn.ToString("F2", CultureInfo.InvariantCulture),
                    variant.clairvoyantExpertReturn.ToString("F2", CultureInfo.InvariantCulture),
                    game.maxEpisodeSteps.ToString(CultureInfo.InvariantCulture));
            }
        }

        console.Write(table);
        foreach (var game in games)
        {
            console.MarkupLineInterpolated($"[bold]{game.name}[/]: {game.rules}");
        }

        console.MarkupLine($"[grey]Random and expert columns: mean returns over {ReferenceReturns.Episodes} episodes; normalized score = (return - random) / (expert - random). The expert sees only what the game has shown; the clairvoyant one also its real future randomness (no policy that sees frames can be expected to match it).[/]");
        return 0;
    }
}
