using System.Reflection;
using Alpt.Grid.Silo.Configuration;

namespace Alpt.Grid.Deployment.Tests;

/// <summary>
/// Every configuration key the silo binds (the "Grid" section, from <see cref="GridSiloOptions"/> by
/// reflection, so a renamed option breaks these tests), plus the console's and the connection string's.
/// </summary>
internal static class OptionKeys
{
    // Declared first: static initializers run in order and Collect fills it.
    private static readonly HashSet<string> Arrays = [];

    /// <summary>Keys in configuration form ("Grid:Metrics:Port"); arrays as "Grid:Executor:ThrowSeeds:0".</summary>
    public static IReadOnlySet<string> Silo { get; } = Collect();

    /// <summary>Keys only the `alpt` console reads (GridSession), in configuration form.</summary>
    public static IReadOnlySet<string> ConsoleOnly { get; } = new HashSet<string>(StringComparer.Ordinal) { "Grid:Gateway", "Grid:ConsoleRetryTimeout" };

    /// <summary>The connection string's other home (ConnectionStrings:AlptGrid).</summary>
    public static string ConnectionString { get; } = "ConnectionStrings:" + GridSiloOptions.ConnectionStringName;

    /// <summary>What Orleans' Kubernetes hosting reads from the pod (not ALPT options).</summary>
    public static IReadOnlySet<string> KubernetesHostingVariables { get; } =
        new HashSet<string>(StringComparer.Ordinal) { "POD_NAME", "POD_NAMESPACE", "POD_IP", "ORLEANS_SERVICE_ID", "ORLEANS_CLUSTER_ID" };

    /// <summary>"Grid:Metrics:Port" → "ALPT_Grid__Metrics__Port" (what Program.cs and the console read).</summary>
    public static string EnvironmentName(string key) => "ALPT_" + key.Replace(":", "__", StringComparison.Ordinal);

    /// <summary>Whether an environment variable the silo sees is one of its real settings.</summary>
    public static bool IsSiloVariable(string name) =>
        Silo.Any(k => EnvironmentName(k) == name) || name == EnvironmentName(ConnectionString) || IsArrayElement(name);

    private static bool IsArrayElement(string name)
    {
        var cut = name.LastIndexOf("__", StringComparison.Ordinal);
        return cut > 0 && int.TryParse(name.AsSpan(cut + 2), System.Globalization.CultureInfo.InvariantCulture, out _)
            && Arrays.Contains(name[..cut]);
    }

    private static HashSet<string> Collect()
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        Walk(typeof(GridSiloOptions), GridSiloOptions.Section, keys);
        return keys;
    }

    private static void Walk(Type type, string prefix, HashSet<string> keys)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.SetMethod is not { IsPublic: true })
            {
                continue; // computed (EffectiveHeartbeat): not bound
            }

            var key = prefix + ":" + property.Name;
            var t = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            if (t.IsArray)
            {
                Arrays.Add(EnvironmentName(key));
                keys.Add(key);
            }
            else if (t.IsClass && t != typeof(string))
            {
                Walk(t, key, keys);
            }
            else
            {
                keys.Add(key);
            }
        }
    }
}
