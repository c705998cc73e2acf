using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Alpt.Learning.Trials;

namespace Alpt.Grid.Silo.Trials;

/// <summary>
/// Sweep-level hyperparameter overrides ("idm.steps=200", "policy.kind=BehaviourCloning") applied to a
/// learning preset. The names are the JSON paths of <see cref="TrialHyperparameters"/>, so every field
/// the learning pipeline adds is overridable without touching this code.
/// </summary>
public static class HyperparameterOverrides
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Every overridable name, "section.field" in camel case.</summary>
    public static IReadOnlyList<string> Names { get; } = Leaves(JsonSerializer.SerializeToNode(TrialHyperparameters.Paper, Json)!.AsObject(), "");

    /// <summary>The preset by grid name ("default" = the record defaults), with a clear error for an unknown one.</summary>
    public static TrialHyperparameters Preset(string name) =>
        name == ArcadeGridCatalogue.DefaultPreset ? TrialHyperparameters.Paper : TrialHyperparameters.FromPreset(name);

    /// <summary>"name=value" pairs as given on a command line (--set), keyed by name; throws naming a pair without '='.</summary>
    public static IReadOnlyDictionary<string, string> ParsePairs(IEnumerable<string> pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var parsed = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in pairs)
        {
            var parts = pair.Split('=', 2);
            if (parts.Length != 2 || parts[0].Trim().Length == 0)
            {
                throw new ArgumentException($"hyperparameter override '{pair}' is not NAME=VALUE (e.g. policy.steps=2000)");
            }

            parsed[parts[0].Trim()] = parts[1].Trim();
        }

        return parsed;
    }

    /// <summary>The preset with the overrides applied; throws <see cref="ArgumentException"/> naming a bad name or value.</summary>
    public static TrialHyperparameters Apply(TrialHyperparameters preset, IReadOnlyDictionary<string, string> overrides)
    {
        ArgumentNullException.ThrowIfNull(preset);
        ArgumentNullException.ThrowIfNull(overrides);
        if (overrides.Count == 0)
        {
            return preset;
        }

        var root = JsonSerializer.SerializeToNode(preset, Json)!.AsObject();
        foreach (var (name, value) in overrides)
        {
            var parts = name.Split('.');
            if (parts.Length != 2 || root[parts[0]] is not JsonObject section || !section.ContainsKey(parts[1]))
            {
                throw new ArgumentException($"hyperparameter '{name}' is not known (known: {string.Join(", ", Names)})");
            }

            section[parts[1]] = section[parts[1]]!.GetValueKind() switch
            {
                JsonValueKind.Number => Number(name, value),
                JsonValueKind.True or JsonValueKind.False => bool.TryParse(value, out var b) ? JsonValue.Create(b) : throw Bad(name, value, "true or false"),
                _ => JsonValue.Create(value),
            };
        }

        try
        {
            var result = root.Deserialize<TrialHyperparameters>(Json) ?? throw new ArgumentException("hyperparameters are empty");
            result.Validate();
            return result;
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"hyperparameter overrides {string.Join(", ", overrides.Select(o => $"{o.Key}={o.Value}"))} do not fit: {e.Message}", e);
        }
    }

    private static JsonValue Number(string name, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number)
            ? (number == Math.Floor(number) && Math.Abs(number) < 1e15 ? JsonValue.Create((long)number) : JsonValue.Create(number))
            : throw Bad(name, value, "a number");

    private static ArgumentException Bad(string name, string value, string expected) =>
        new($"hyperparameter {name}={value}: expected {expected}");

    private static List<string> Leaves(JsonObject node, string prefix)
    {
        var names = new List<string>();
        foreach (var (key, value) in node)
        {
            if (value is JsonObject child)
            {
                names.AddRange(Leaves(child, prefix + key + "."));
            }
            else
            {
                names.Add(prefix + key);
            }
        }

        return names;
    }
}
