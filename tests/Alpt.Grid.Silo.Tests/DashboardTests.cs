using Alpt.Grid.Abstractions.Sweeps;
using Alpt.Grid.Silo.Hosting;
using Alpt.Grid.Silo.Telemetry;
using Microsoft.Extensions.DependencyInjection;

namespace Alpt.Grid.Silo.Tests;

/// <summary>The Orleans dashboard of a real embedded silo, looked at in headless Chromium.</summary>
public sealed class DashboardTests : IDisposable
{
    private readonly string data = Path.Combine(Path.GetTempPath(), "alpt-dashboard-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(data))
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task The_dashboard_is_served_on_loopback_and_renders_the_cluster_in_a_browser()
    {
        var port = LoopbackPorts.Free();
        await using var grid = await EmbeddedGrid.StartAsync(data, o =>
        {
            o.Slots = "cpu*2";
            o.Dashboard.Port = port;
            o.Metrics.Enabled = false;
        });
        // Some grain traffic for it to show: a small no-op sweep.
        await grid.Grains.GetGrain<ISweepGrain>("dashboard").Launch(new SweepSpec { Name = "dashboard", Targets = ["freeway"], Budgets = [100], Methods = ["idm-target"], Seeds = [0, 1, 2] });
        await grid.WaitForCompletion("dashboard", TimeSpan.FromSeconds(60));
        var endpoint = grid.Services.GetRequiredService<DashboardEndpoint>();
        Assert.Equal(new Uri($"http://127.0.0.1:{port}/"), endpoint.Address);

        // The overview renders once its first counters arrive: one active silo.
        var look = await HeadlessChromium.LookAsync(endpoint.Address!, readyWhen: "document.body.innerText.includes('ACTIVE SILOS') && /ACTIVE SILOS\\s*1/.test(document.body.innerText)");
        HeadlessChromium.Keep(look.Screenshot, data, "dashboard.png");

        Assert.Equal("Orleans Dashboard", look.Title);
        Assert.Contains("TOTAL ACTIVATIONS", look.Text, StringComparison.Ordinal);
        Assert.All(look.Images, i => Assert.True(i.Complete && i.NaturalWidth > 0, $"image {i.Alt} ({i.Source}) did not decode"));
        Assert.Empty(look.ConsoleErrors);
        Assert.True(look.Screenshot.Length > 10_000, "the screenshot is nearly empty");
    }

    [Fact]
    public async Task Without_a_port_there_is_no_dashboard()
    {
        await using var grid = await EmbeddedGrid.StartAsync(data, o =>
        {
            o.Slots = "none";
            o.Metrics.Enabled = false;
        });

        Assert.Null(grid.Services.GetService<DashboardEndpoint>());
    }

    [Fact]
    public void A_bad_dashboard_setting_is_refused_naming_it()
    {
        var options = new Configuration.GridSiloOptions();
        options.Dashboard.Port = 70000;
        options.Dashboard.Host = "localhost";

        var error = Assert.Throws<InvalidOperationException>(() => GridHosting.Validate(options));

        Assert.Contains("Grid:Dashboard:Port 70000 must be in 0..65535", error.Message, StringComparison.Ordinal);
        Assert.Contains("Grid:Dashboard:Host 'localhost' is not an IP address", error.Message, StringComparison.Ordinal);
    }
}
