using System.Text.Json;
using System.Text.RegularExpressions;

namespace Alpt.Grid.Observability.Tests;

/// <summary>One query of one dashboard panel, as Grafana would send it to Prometheus.</summary>
internal sealed record DashboardQuery(string Dashboard, string Panel, string RefId, string Expr)
{
    /// <summary>
    /// The query with Grafana's variables replaced as Grafana does for "All sweeps" over a short
    /// range: $sweep by its all-value regex, $__rate_interval by a window of several scrapes.
    /// </summary>
    public string Evaluable(string rateInterval) => Expr
        .Replace("$__rate_interval", rateInterval, StringComparison.Ordinal)
        .Replace("$sweep", ".*", StringComparison.Ordinal);

    public override string ToString() => $"{Dashboard} / {Panel} / {RefId}: {Expr}";
}

/// <summary>The dashboards in grafana/dashboards and the provisioned data source's uid.</summary>
internal static partial class GrafanaDashboards
{
    public static IReadOnlyList<string> Files { get; } =
        Directory.GetFiles(RepositoryFiles.PathOf("grafana/dashboards"), "*.json").Order(StringComparer.Ordinal).ToList();

    /// <summary>The uid given to the Prometheus data source in grafana/provisioning/datasources.</summary>
    public static string ProvisionedDataSourceUid()
    {
        var uids = Directory.GetFiles(RepositoryFiles.PathOf("grafana/provisioning/datasources"), "*.yml")
            .SelectMany(file => UidLine().Matches(File.ReadAllText(file)).Select(m => m.Groups[1].Value))
            .ToList();
        return Assert.Single(uids);
    }

    public static IEnumerable<JsonElement> Panels(JsonElement dashboard)
    {
        foreach (var panel in dashboard.GetProperty("panels").EnumerateArray())
        {
            yield return panel;
            // Collapsed rows carry their panels inside.
            if (panel.TryGetProperty("panels", out var nested))
            {
                foreach (var inner in nested.EnumerateArray())
                {
                    yield return inner;
                }
            }
        }
    }

    public static IReadOnlyList<DashboardQuery> Queries()
    {
        var queries = new List<DashboardQuery>();
        foreach (var file in Files)
        {
            using var json = JsonDocument.Parse(File.ReadAllText(file));
            var title = json.RootElement.GetProperty("title").GetString()!;
            foreach (var panel in Panels(json.RootElement))
            {
                if (!panel.TryGetProperty("targets", out var targets))
                {
                    continue;
                }

                foreach (var target in targets.EnumerateArray())
                {
                    queries.Add(new DashboardQuery(
                        title,
                        panel.GetProperty("title").GetString()!,
                        target.GetProperty("refId").GetString()!,
                        target.TryGetProperty("expr", out var expr) ? expr.GetString() ?? "" : ""));
                }
            }
        }

        return queries;
    }

    [GeneratedRegex(@"^\s*uid:\s*(\S+)\s*$", RegexOptions.Multiline)]
    private static partial Regex UidLine();
}
