using System.ComponentModel;
using System.Text;
using Alpt.Environments.Core;
using Alpt.Environments.Policies;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Alpt.Grid.Console.Commands.Environments;

/// <summary>`alpt env play &lt;game&gt;`: the expert (or a noisy policy) playing, drawn in colour.</summary>
public sealed class EnvPlayCommand(IAnsiConsole console) : Command<EnvPlayCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<game>")]
        [Description("Game to play (see `alpt env list`).")]
        public string Game { get; init; } = string.Empty;

        [CommandOption("--variant")]
        [Description("Difficulty variant (default: the game's first).")]
        public string? Variant { get; init; }

        [CommandOption("--seed")]
        [Description("Seed of the first episode.")]
        [DefaultValue(1UL)]
        public ulong Seed { get; init; } = 1;

        [CommandOption("--episodes")]
        [Description("Episodes to play.")]
        [DefaultValue(1)]
        public int Episodes { get; init; } = 1;

        [CommandOption("--epsilon")]
        [Description("Probability of a random action instead of the expert's (0 = expert, 1 = random).")]
        [DefaultValue(0.0)]
        public double Epsilon { get; init; }

        [CommandOption("--delay-ms")]
        [Description("Pause between frames; 0 prints frames one after another without redrawing.")]
        [DefaultValue(80)]
        public int DelayMs { get; init; } = 80;

        [CommandOption("--max-steps")]
        [Description("Step cap per episode (default: the game's own).")]
        public int? MaxSteps { get; init; }

        public override ValidationResult Validate()
        {
            if (Episodes < 1)
            {
                return ValidationResult.Error("--episodes must be at least 1.");
            }

            if (Epsilon is < 0 or > 1)
            {
                return ValidationResult.Error("--epsilon must be in [0, 1].");
            }

            if (DelayMs < 0)
            {
                return ValidationResult.Error("--delay-ms must not be negative.");
            }

            return MaxSteps is < 1 ? ValidationResult.Error("--max-steps must be at least 1.") : ValidationResult.Success();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var game = GameCatalogue.Create(settings.Game, settings.Variant);
        var policy = new BehaviourPolicy(settings.Epsilon);
        var frame = new byte[game.ShapeAt().Length];
        var cap = settings.MaxSteps ?? game.MaxEpisodeSteps;
        var redraw = settings.DelayMs > 0 && console.Profile.Capabilities.Ansi;
        var lines = game.GridSize + 1;
        for (var episode = 0; episode < settings.Episodes; episode++)
        {
            var seed = settings.Seed + (ulong)episode;
            game.Reset(seed);
            policy.BeginEpisode(GameRng.Derive(seed, 0xB0A7));
            var total = 0f;
            var step = 0;
            var ended = "cut at the step cap";
            var drawn = false;
            Draw(step, total, ref drawn);
            while (step < cap)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var action = policy.Act(game);
                var result = game.Step(action);
                total += result.Reward;
                step++;
                Draw(step, total, ref drawn, action);
                if (result.Terminal)
                {
                    ended = "terminal";
                    break;
                }

                if (settings.DelayMs > 0)
                {
                    Thread.Sleep(settings.DelayMs);
                }
            }

            console.MarkupLineInterpolated($"episode {episode + 1}: return {total:F0} in {step} steps ({ended}); normalized score {ReferenceReturns.NormalizedScore(game.Name, game.Variant, total):F2}");

            void Draw(int step, float total, ref bool drawn, GameAction? action = null)
            {
                if (redraw && drawn)
                {
                    console.Cursor.MoveUp(lines);
                }

                drawn = true;
                game.Render(frame);
                var caption = $"{game.Name}/{game.Variant}  episode {episode + 1}  step {step}  return {total:F0}  action {(action is null ? "-" : ActionVocabulary.Names[(int)action])}";
                console.MarkupLine(Markup.Escape(caption.PadRight(64)));
                console.Markup(FrameMarkup(frame, game.GridSize));
            }
        }

        return 0;
    }

    /// <summary>One frame as coloured blocks, two characters per cell so cells look square.</summary>
    internal static string FrameMarkup(ReadOnlySpan<byte> frame, int size)
    {
        var plane = size * size;
        var text = new StringBuilder();
        for (var y = 0; y < size; y++)
        {
            for (var x = 0; x < size; x++)
            {
                var i = (y * size) + x;
                text.Append("[#").Append(frame[i].ToString("x2", System.Globalization.CultureInfo.InvariantCulture))
                    .Append(frame[plane + i].ToString("x2", System.Globalization.CultureInfo.InvariantCulture))
                    .Append(frame[(2 * plane) + i].ToString("x2", System.Globalization.CultureInfo.InvariantCulture))
                    .Append("]██[/]");
            }

            text.Append('\n');
        }

        return text.ToString();
    }
}
