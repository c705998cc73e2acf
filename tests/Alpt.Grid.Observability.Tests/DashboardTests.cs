using System.Text.Json;

namespace Alpt.Grid.Observability.Tests;

public sealed class DashboardTests
{
    // Panel types of a stock Grafana (no plugins needed).
    private static readonly HashSet<string> KnownPanelTypes =
        ["row", "timeseries", "stat", "gauge", "bargauge", "table", "heatmap", "text", "barchart", "piechart", "histogram", "state-timeline"];

    [Fact]
    public void There_are_a_sweep_and_a_cluster_dashboard_with_unique_uids()
    {
        var dashboards = GrafanaDashboards.Files.Select(f => JsonDocument.Parse(File.ReadAllText(f)).RootElement).ToList();

        var uids = dashboards.Select(d => d.GetProperty("uid").GetString()).ToList();
        Assert.All(uids, uid => Assert.False(string.IsNullOrWhiteSpace(uid)));
        Assert.Equal(uids.Count, uids.Distinct(StringComparer.Ordinal).Count());
        var titles = dashboards.Select(d => d.GetProperty("title").GetString()!).ToList();
        Assert.Contains(titles, t => t.Contains("Sweep", StringComparison.Ordinal));
        Assert.Contains(titles, t => t.Contains("Cluster", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_panel_has_a_known_type_a_unique_id_and_a_place_on_the_grid_without_overlap()
    {
        foreach (var file in GrafanaDashboards.Files)
        {
            using var json = JsonDocument.Parse(File.ReadAllText(file));
            Assert.True(json.RootElement.GetProperty("schemaVersion").GetInt32() >= 36, $"{file}: schemaVersion");
            var panels = GrafanaDashboards.Panels(json.RootElement).ToList();
            Assert.NotEmpty(panels);
            var ids = panels.Select(p => p.GetProperty("id").GetInt32()).ToList();
            Assert.Equal(ids.Count, ids.Distinct().Count());

            var boxes = new List<(string Title, int X, int Y, int W, int H)>();
            foreach (var panel in panels)
            {
                var title = panel.GetProperty("title").GetString()!;
                var type = panel.GetProperty("type").GetString()!;
                Assert.True(KnownPanelTypes.Contains(type), $"{file}: panel '{title}' has unknown type '{type}'");
                var grid = panel.GetProperty("gridPos");
                var box = (title, grid.GetProperty("x").GetInt32(), grid.GetProperty("y").GetInt32(), grid.GetProperty("w").GetInt32(), grid.GetProperty("h").GetInt32());
                Assert.True(box.Item2 >= 0 && box.Item4 > 0 && box.Item2 + box.Item4 <= 24, $"{file}: panel '{title}' is outside the 24-column grid");
                var overlap = boxes.FirstOrDefault(b => b.X < box.Item2 + box.Item4 && box.Item2 < b.X + b.W && b.Y < box.Item3 + box.Item5 && box.Item3 < b.Y + b.H);
                Assert.True(overlap.Title is null, $"{file}: panel '{title}' overlaps '{overlap.Title}'");
                boxes.Add(box);
            }
        }
    }

    [Fact]
    public void Every_data_source_reference_is_the_provisioned_prometheus()
    {
        var uid = GrafanaDashboards.ProvisionedDataSourceUid();
        foreach (var file in GrafanaDashboards.Files)
        {
            using var json = JsonDocument.Parse(File.ReadAllText(file));
            var references = new List<JsonElement>();
            Collect(json.RootElement, references);
            Assert.NotEmpty(references);
            Assert.All(references, reference =>
            {
                Assert.Equal("prometheus", reference.GetProperty("type").GetString());
                Assert.Equal(uid, reference.GetProperty("uid").GetString());
            });
        }
    }

    [Fact]
    public void Every_target_has_a_query_and_a_unique_ref_id_within_its_panel()
    {
        var queries = GrafanaDashboards.Queries();

        Assert.True(queries.Count >= 20, $"only {queries.Count} queries");
        Assert.All(queries, q => Assert.False(string.IsNullOrWhiteSpace(q.Expr), $"{q}: no expr"));
        Assert.All(queries.GroupBy(q => (q.Dashboard, q.Panel)), panel =>
            Assert.Equal(panel.Count(), panel.Select(q => q.RefId).Distinct(StringComparer.Ordinal).Count()));
    }

    [Fact]
    public async Task Every_query_is_valid_promql()
    {
        // promtool parses each expression of a rules file: one recording rule per dashboard query.
        var queries = GrafanaDashboards.Queries();
        var rules = Path.Combine(Path.GetTempPath(), $"alpt-dashboard-rules-{Guid.NewGuid():N}.yml");
        var lines = new List<string> { "groups:", "  - name: dashboards", "    rules:" };
        for (var i = 0; i < queries.Count; i++)
        {
            lines.Add($"      - record: alpt_dashboard_query_{i}");
            lines.Add($"        expr: {JsonSerializer.Serialize(queries[i].Evaluable("1m"))}");
        }

        await File.WriteAllLinesAsync(rules, lines);
        try
        {
            var (exit, output) = await ExternalTool.RunAsync("promtool", ["check", "rules", rules], TimeSpan.FromSeconds(30));
            Assert.True(exit == 0, output);
            Assert.Contains($"{queries.Count} rules found", output, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(rules);
        }
    }

    [Fact]
    public void Dashboard_provisioning_loads_the_dashboards_folder()
    {
        var provisioning = File.ReadAllText(RepositoryFiles.PathOf("grafana/provisioning/dashboards/alpt.yml"));

        Assert.Contains("type: file", provisioning, StringComparison.Ordinal);
        Assert.Contains("path: /var/lib/grafana/dashboards/alpt", provisioning, StringComparison.Ordinal);
    }

    private static void Collect(JsonElement element, List<JsonElement> references)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in element.EnumerateObject())
            {
                if (property.Name == "datasource" && property.Value.ValueKind == JsonValueKind.Object)
                {
                    references.Add(property.Value);
                }
                else
                {
                    Collect(property.Value, references);
                }
            }
        }
        else if (element.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in element.EnumerateArray())
            {
                Collect(item, references);
            }
        }
    }
}
