using System.ComponentModel;
using Alpt.Grid.Console.Sweeps;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Alpt.Grid.Console.Commands.Sweeps;

/// <summary>Where the grid is: a cluster from configuration (or --gateway), else the embedded grid in --data.</summary>
public class GridSettings : CommandSettings
{
    [CommandOption("--data <DIR>")]
    [Description("Embedded grid state directory (default ./.alpt/grid, or ALPT_Grid__DataDirectory).")]
    public string? Data { get; init; }

    [CommandOption("--gateway <HOST:PORT>")]
    [Description("A cluster silo's gateway (or ALPT_Grid__Gateway); a cluster is also used when ALPT_Grid__Clustering=Azure with a storage connection string.")]
    public string? Gateway { get; init; }

    [CommandOption("--verbose")]
    [Description("On an error, print the whole exception with its stack trace, not one line.")]
    public bool Verbose { get; init; }

    public GridTarget Target() => GridTarget.Resolve(Data, Gateway);
}

/// <summary>Commands about one existing sweep.</summary>
public class SweepIdSettings : GridSettings
{
    [CommandArgument(0, "<ID>")]
    [Description("The sweep id (its name, e.g. smoke).")]
    public string Id { get; init; } = "";
}

/// <summary>A sweep to launch: a YAML spec file or a named preset.</summary>
public class SweepSpecSettings : GridSettings
{
    [CommandArgument(0, "[SPEC]")]
    [Description("A sweep spec in YAML (see examples/sweep.yaml).")]
    public string? Spec { get; init; }

    [CommandOption("--preset <NAME>")]
    [Description("A named sweep instead of a file: smoke, quick or paper.")]
    public string? Preset { get; init; }

    public override ValidationResult Validate() =>
        (Spec is null) == (Preset is null)
            ? ValidationResult.Error("give either a sweep spec file or --preset NAME (smoke, quick, paper)")
            : ValidationResult.Success();

    public SweepDefinition Definition() => Preset is not null ? SweepPresets.Get(Preset) : SweepYaml.Load(Spec!);
}
