using System.Text.RegularExpressions;
using Alpt.Grid.IntegrationTests;
using YamlDotNet.RepresentationModel;

namespace Alpt.Grid.Deployment.Tests;

/// <summary>The deployment files of the repository, parsed.</summary>
internal static partial class Repository
{
    public static string PathOf(string relative) => Path.Combine(Repo.Root, relative);

    public static string Text(string relative) => File.ReadAllText(PathOf(relative));

    /// <summary>
    /// Every YAML document of a file, with merge keys (&lt;&lt;: *anchor) applied as docker compose does:
    /// the anchor's entries, overridden by the mapping's own.
    /// </summary>
    public static IReadOnlyList<YamlMappingNode> YamlDocuments(string relative)
    {
        using var reader = new StringReader(Text(relative));
        var stream = new YamlStream();
        stream.Load(reader);
        return stream.Documents.Where(d => d.RootNode is YamlMappingNode).Select(d => (YamlMappingNode)Merge(d.RootNode)).ToList();
    }

    private static YamlNode Merge(YamlNode node)
    {
        switch (node)
        {
            case YamlMappingNode map:
                var merged = new YamlMappingNode();
                var mergeKey = new YamlScalarNode("<<");
                if (map.Children.TryGetValue(mergeKey, out var source))
                {
                    var sources = source is YamlSequenceNode list ? list.Children : [source];
                    foreach (var entry in sources.Select(Merge).Cast<YamlMappingNode>().SelectMany(m => m.Children))
                    {
                        merged.Children[entry.Key] = entry.Value;
                    }
                }

                foreach (var entry in map.Children.Where(c => !c.Key.Equals(mergeKey)))
                {
                    merged.Children[entry.Key] = Merge(entry.Value);
                }

                return merged;
            case YamlSequenceNode sequence:
                return new YamlSequenceNode(sequence.Children.Select(Merge));
            default:
                return node;
        }
    }

    /// <summary>The variables .env.example sets (what `docker compose` reads from .env).</summary>
    public static IReadOnlyDictionary<string, string> EnvExample { get; } = File.ReadAllLines(PathOf(".env.example"))
        .Select(l => l.Trim())
        .Where(l => l.Length > 0 && !l.StartsWith('#'))
        .Select(l => l.Split('=', 2))
        .ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);

    /// <summary>Compose interpolation of ${NAME}, ${NAME:-default} and ${NAME:?error} against .env.example (or the given variables).</summary>
    public static string Interpolate(string value, IReadOnlyDictionary<string, string>? variables = null) => Interpolation().Replace(value, m =>
    {
        var name = m.Groups["name"].Value;
        if ((variables ?? EnvExample).TryGetValue(name, out var set) && set.Length > 0)
        {
            return set;
        }

        return m.Groups["op"].Value switch
        {
            ":-" => m.Groups["arg"].Value,
            ":?" => throw new InvalidOperationException($"{name} is required ({m.Groups["arg"].Value}) and .env.example does not set it"),
            _ => "",
        };
    });

    /// <summary>The ${NAME…} references of a text.</summary>
    public static IEnumerable<string> Variables(string text) => Interpolation().Matches(text).Select(m => m.Groups["name"].Value);

    [GeneratedRegex(@"\$\{(?<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?<op>:-|:\?)(?<arg>[^}]*))?\}")]
    private static partial Regex Interpolation();
}

/// <summary>YamlDotNet's node model, read the short way.</summary>
internal static class Yaml
{
    public static YamlNode? Get(this YamlNode node, string key) =>
        node is YamlMappingNode map && map.Children.TryGetValue(new YamlScalarNode(key), out var child) ? child : null;

    public static YamlMappingNode Map(this YamlNode node, string key) =>
        node.Get(key) as YamlMappingNode ?? throw new InvalidOperationException($"'{key}' is not a mapping");

    public static string? Scalar(this YamlNode node, string key) => (node.Get(key) as YamlScalarNode)?.Value;

    public static IEnumerable<YamlNode> Items(this YamlNode node, string key) =>
        node.Get(key) is YamlSequenceNode seq ? seq.Children : [];

    public static IEnumerable<(string Key, YamlNode Value)> Entries(this YamlNode? node) =>
        node is YamlMappingNode map ? map.Children.Select(c => (((YamlScalarNode)c.Key).Value!, c.Value)) : [];

    /// <summary>A compose `environment:` as a dictionary (mapping or KEY=value list form).</summary>
    public static Dictionary<string, string> Environment(this YamlNode service)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        switch (service.Get("environment"))
        {
            case YamlMappingNode map:
                foreach (var (k, v) in map.Entries())
                {
                    env[k] = ((YamlScalarNode)v).Value ?? "";
                }

                break;
            case YamlSequenceNode list:
                foreach (var item in list.Children.Cast<YamlScalarNode>())
                {
                    var parts = item.Value!.Split('=', 2);
                    env[parts[0]] = parts.Length > 1 ? parts[1] : "";
                }

                break;
        }

        return env;
    }
}
