using System.Globalization;
using Alpt.Environments.Core;
using Alpt.Grid.Abstractions.Catalogue;
using Alpt.Grid.Abstractions.Sweeps;
using Alpt.Grid.Abstractions.Trials;
using Alpt.Grid.Silo.Trials;
using Alpt.Learning.Trials;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Alpt.Grid.Console.Sweeps;

/// <summary>
/// Reads a sweep spec in YAML (see examples/sweep.yaml) into the grid's sweep specs, and checks it all
/// before anything is launched: the grid's own validation, then every experiment's trial spec (budget
/// against the preset's dataset, hyperparameter values). Errors name the field and the line.
/// </summary>
public static class SweepYaml
{
    /// <summary>Source-set keyword: every game of the suite except the target.</summary>
    public const string AllOthers = "all-others";

    /// <summary>Source-set keyword: the game after the target in the suite's order (one source, different per target).</summary>
    public const string OneOther = "one-other";

    private static readonly string[] Fields =
        ["name", "preset", "targets", "variants", "sourceSets", "budgets", "methods", "seeds", "disjointActions", "evalVariants", "maxAttempts", "overrides", "device"];

    public static SweepDefinition Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new InvalidSweepSpecException($"sweep spec file '{path}' does not exist");
        }

        return Parse(File.ReadAllText(path), Path.GetFileNameWithoutExtension(path), path);
    }

    /// <summary>Parses and validates; <paramref name="fallbackName"/> names a spec without <c>name</c>.</summary>
    public static SweepDefinition Parse(string yaml, string fallbackName, string source = "spec")
    {
        ArgumentNullException.ThrowIfNull(yaml);
        YamlMappingNode root;
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(yaml));
            root = stream.Documents.Count == 1 && stream.Documents[0].RootNode is YamlMappingNode map
                ? map
                : throw new InvalidSweepSpecException($"{source}: a sweep spec is one YAML mapping (name:, targets:, budgets:, …)");
        }
        catch (YamlException e)
        {
            throw new InvalidSweepSpecException($"{source}: malformed YAML at line {e.Start.Line}, column {e.Start.Column}: {e.Message}", e);
        }
        catch (InvalidOperationException e)
        {
            // YamlDotNet's scanner reports some unterminated constructs this way, without a position.
            throw new InvalidSweepSpecException($"{source}: malformed YAML (an unterminated list, mapping or quote?): {e.Message}", e);
        }

        var problems = new List<string>();
        var values = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        foreach (var (keyNode, value) in root.Children)
        {
            var key = ((YamlScalarNode)keyNode).Value ?? "";
            if (!Fields.Contains(key, StringComparer.Ordinal))
            {
                problems.Add($"line {keyNode.Start.Line}: unknown field '{key}' (fields: {string.Join(", ", Fields)})");
                continue;
            }

            values[key] = value;
        }

        var name = Scalar("name") ?? fallbackName;
        var targets = List("targets") ?? [];
        var sourceSets = SourceSets();
        var preset = Scalar("preset") ?? "quick";
        var overrides = Overrides();
        var spec = new SweepSpec
        {
            Preset = preset,
            Targets = [.. targets],
            Variants = [.. (List("variants") ?? [GridCatalogue.DefaultVariant]).Select(DefaultAlias)],
            Budgets = [.. Budgets(preset, overrides)],
            Methods = [.. List("methods") ?? GridCatalogue.KnownMethods],
            Seeds = [.. Seeds()],
            DisjointActions = [.. Bools("disjointActions") ?? [false]],
            EvalVariants = [.. List("evalVariants")?.Select(v => v is "" or "same" or "training" ? "" : DefaultAlias(v)) ?? [""]],
            MaxAttempts = Ints("maxAttempts") is [var attempts] ? attempts : 3,
            Overrides = overrides,
            Device = Device(),
        };
        if (problems.Count > 0)
        {
            throw new InvalidSweepSpecException(problems.Select(p => $"{source}: {p}").ToList());
        }

        var relative = sourceSets.Any(s => s.Contains(AllOthers, StringComparer.Ordinal) || s.Contains(OneOther, StringComparer.Ordinal));
        var parts = relative && targets.Count > 1
            ? targets.Select(t => spec with { Name = $"{name}.{t}", Targets = [t], SourceSets = Resolve(sourceSets, [t]) }).ToList()
            : [spec with { Name = name, SourceSets = Resolve(sourceSets, targets) }];
        var definition = new SweepDefinition(name, parts);
        Validate(definition, source);
        return definition;

        string? Scalar(string field) => values.TryGetValue(field, out var node)
            ? node is YamlScalarNode s ? s.Value : Problem<string>(node, $"'{field}' should be a single value")
            : null;

        List<string>? List(string field)
        {
            if (!values.TryGetValue(field, out var node))
            {
                return null;
            }

            return node switch
            {
                YamlSequenceNode seq => seq.Children.Select(c => c is YamlScalarNode s ? s.Value ?? "" : Problem<string>(c, $"'{field}' should be a list of values") ?? "").ToList(),
                YamlScalarNode s => [s.Value ?? ""],
                _ => Problem<List<string>>(node, $"'{field}' should be a list"),
            };
        }

        List<int>? Ints(string field) => List(field)?.Select(v => int.TryParse(v.Replace("_", "", StringComparison.Ordinal), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i)
            ? i
            : Problem<int>(values[field], $"'{field}': '{v}' is not a whole number")).ToList();

        List<bool>? Bools(string field) => List(field)?.Select(v => bool.TryParse(v, out var b)
            ? b
            : Problem<bool>(values[field], $"'{field}': '{v}' is not true or false")).ToList();

        // "device: cuda" sends the trials to CUDA slots only, "cpu" to CPU slots only; "any" (the default) to either.
        DeviceKind Device()
        {
            var text = Scalar("device");
            return text is null ? DeviceKind.Any
                : DeviceKinds.TryParse(text) ?? Problem<DeviceKind>(values["device"], $"'device': '{text}' is not cuda, cpu or any");
        }

        // Budgets in the paper's units (250, 1%, 12min), resolved to labelled transitions of the preset's target dataset.
        List<int> Budgets(string presetName, Dictionary<string, string> hyperparameters)
        {
            var written = List("budgets") ?? [];
            int? targetTransitions;
            try
            {
                targetTransitions = HyperparameterOverrides.Apply(HyperparameterOverrides.Preset(presetName), hyperparameters).Data.TargetTransitions;
            }
            catch (ArgumentException)
            {
                // A bad preset or override is reported by the validation below; counts are still checked there.
                targetTransitions = null;
            }

            var resolved = new List<(string Written, int Transitions)>();
            foreach (var text in written)
            {
                if (!AnnotationBudget.TryParse(text, out var budget, out var error))
                {
                    Problem<int>(values["budgets"], $"'budgets': {error}");
                    continue;
                }

                if (targetTransitions is not { } total)
                {
                    if (budget.Unit == BudgetUnit.Transitions)
                    {
                        resolved.Add((text, (int)Math.Min(int.MaxValue, budget.Value)));
                    }

                    continue;
                }

                try
                {
                    resolved.Add((text, budget.Resolve(total)));
                }
                catch (ArgumentException e)
                {
                    Problem<int>(values["budgets"], $"'budgets': {e.Message}");
                }
            }

            foreach (var same in resolved.GroupBy(b => b.Transitions).Where(g => g.Count() > 1 && g.Select(b => b.Written).Distinct(StringComparer.Ordinal).Count() > 1))
            {
                Problem<int>(values["budgets"], $"'budgets': {string.Join(" and ", same.Select(b => b.Written))} are the same budget ({same.Key:N0} transitions)");
            }

            return [.. resolved.Select(b => b.Transitions)];
        }

        // "seeds: 3" means seeds 0, 1, 2; a list names them.
        List<int> Seeds()
        {
            if (!values.TryGetValue("seeds", out var node))
            {
                return [0, 1, 2];
            }

            var seeds = Ints("seeds") ?? [];
            if (node is YamlScalarNode && seeds is [var count])
            {
                if (count is < 1 or > 10_000)
                {
                    problems.Add($"line {node.Start.Line}: 'seeds: {count}' should be a count from 1 to 10000 (or a list of seeds)");
                    return [];
                }

                return [.. Enumerable.Range(0, count)];
            }

            return seeds;
        }

        List<string[]> SourceSets()
        {
            if (!values.TryGetValue("sourceSets", out var node))
            {
                return [[AllOthers]];
            }

            if (node is not YamlSequenceNode seq)
            {
                return Problem<List<string[]>>(node, "'sourceSets' should be a list of source sets (each a list of games, 'none' or 'all-others')") ?? [];
            }

            return seq.Children.Select(c => c switch
            {
                YamlSequenceNode set => set.Children.Select(g => (g as YamlScalarNode)?.Value ?? "").ToArray(),
                YamlScalarNode { Value: "none" or "[]" or "" } => [],
                YamlScalarNode { Value: AllOthers or OneOther } k => [k.Value!],
                YamlScalarNode s => [.. (s.Value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)],
                _ => Problem<string[]>(c, "a source set is a list of games, 'none' or 'all-others'") ?? [],
            }).ToList();
        }

        Dictionary<string, string> Overrides()
        {
            var result = new Dictionary<string, string>(StringComparer.Ordinal);
            if (!values.TryGetValue("overrides", out var node))
            {
                return result;
            }

            if (node is not YamlMappingNode map)
            {
                return Problem<Dictionary<string, string>>(node, "'overrides' should be a mapping of hyperparameter: value") ?? result;
            }

            foreach (var (k, v) in map.Children)
            {
                result[((YamlScalarNode)k).Value ?? ""] = (v as YamlScalarNode)?.Value ?? Problem<string>(v, "an override value should be a single value") ?? "";
            }

            return result;
        }

        T? Problem<T>(YamlNode node, string message)
        {
            problems.Add($"line {node.Start.Line}: {message}");
            return default;
        }
    }

    /// <summary>"default" names every game's own default variant, which the grid calls <see cref="GridCatalogue.DefaultVariant"/>.</summary>
    private static string DefaultAlias(string variant) => variant == "default" ? GridCatalogue.DefaultVariant : variant;

    /// <summary>
    /// Source sets for these targets: "all-others" becomes every other game; the empty set (what
    /// idm-target and labelled-only use anyway) is dropped when other sets are listed, since alpt
    /// without sources is idm-target.
    /// </summary>
    private static string[][] Resolve(List<string[]> sets, IReadOnlyList<string> targets)
    {
        var resolved = sets
            .Select(s => s switch
            {
                [AllOthers] => GameCatalogue.Names.Where(g => !targets.Contains(g, StringComparer.Ordinal)).ToArray(),
                [OneOther] when targets.Count == 1 && GameCatalogue.Names.ToList().IndexOf(targets[0]) is var i and >= 0 => [GameCatalogue.Names[(i + 1) % GameCatalogue.Names.Count]],
                _ => s,
            })
            .ToList();
        var nonEmpty = resolved.Where(s => s.Length > 0).ToArray();
        return nonEmpty.Length > 0 ? nonEmpty : [[]];
    }

    /// <summary>The grid's validation, then every experiment's trial spec; throws listing every problem.</summary>
    public static void Validate(SweepDefinition definition, string source = "spec")
    {
        ArgumentNullException.ThrowIfNull(definition);
        var problems = new List<string>();
        foreach (var part in definition.Parts)
        {
            var grid = SweepValidation.Problems(part, ArcadeGridCatalogue.Instance);
            problems.AddRange(grid);
            if (grid.Count > 0)
            {
                continue;
            }

            foreach (var experiment in SweepExpansion.Experiments(part))
            {
                try
                {
                    TrialSpecs.Checked(experiment, part.Seeds[0]);
                }
                catch (ArgumentException e)
                {
                    problems.Add(e.Message);
                }
            }
        }

        if (problems.Count > 0)
        {
            throw new InvalidSweepSpecException(problems.Distinct(StringComparer.Ordinal).Select(p => $"{source}: {p}").ToList());
        }
    }
}
