using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Alpt.Grid.Deployment.Tests;

/// <summary>
/// Compose and Kubernetes wait for a stopping silo longer than it takes to stop (Grid:ShutdownTimeout
/// as each deployment configures it), so a drained worker's hand-backs are never cut short by SIGKILL,
/// and not so much longer that a stuck node holds a rolling restart for minutes.
/// </summary>
public sealed partial class ShutdownGraceTests
{
    private static readonly string[] Silos = ["coordinator", "worker-cpu", "worker-gpu"];

    /// <summary>From SIGTERM to the runtime's start of shutdown, and from the bound to the process's exit.</summary>
    private static readonly TimeSpan Margin = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan TooLong = TimeSpan.FromSeconds(60);

    [Fact]
    public void Compose_gives_every_silo_a_stop_grace_period_beyond_its_shutdown_timeout()
    {
        var compose = Repository.YamlDocuments("docker-compose.yml").Single();
        foreach (var name in Silos)
        {
            var service = compose.Map("services").Map(name);
            var options = ComposeFileTests.Bind(service.Environment());
            var grace = ComposeDuration(service.Scalar("stop_grace_period") ?? "10s");
            Assert.True(grace >= options.ShutdownTimeout + Margin, $"{name}: stop_grace_period {grace} is not Grid:ShutdownTimeout {options.ShutdownTimeout} + {Margin}");
            Assert.True(grace <= options.ShutdownTimeout + TooLong, $"{name}: stop_grace_period {grace} is far beyond Grid:ShutdownTimeout {options.ShutdownTimeout}");
            Assert.True(options.DrainGrace < options.WorkerStopBudget, $"{name}: Grid:DrainGrace {options.DrainGrace} leaves no time to hand trials back");
        }
    }

    [Fact]
    public void Kubernetes_gives_every_silo_pod_a_termination_grace_period_beyond_its_shutdown_timeout()
    {
        var resources = Directory.GetFiles(Repository.PathOf("deploy/kubernetes"), "*.yaml")
            .Where(f => Path.GetFileName(f) != "kustomization.yaml")
            .SelectMany(f => Repository.YamlDocuments(Path.GetRelativePath(Repository.PathOf(""), f)))
            .ToList();
        var config = resources.Single(r => r.Scalar("kind") == "ConfigMap" && r.Map("metadata").Scalar("name") == "alpt-grid")
            .Map("data").Entries().ToDictionary(e => e.Key, e => ((YamlScalarNode)e.Value).Value!);
        foreach (var name in Silos)
        {
            var pod = resources.Single(r => r.Scalar("kind") == "Deployment" && r.Map("metadata").Scalar("name") == name).Map("spec").Map("template").Map("spec");
            var container = (YamlMappingNode)pod.Items("containers").Single();
            var env = new Dictionary<string, string>(config);
            foreach (var item in container.Items("env").Cast<YamlMappingNode>().Where(e => e.Scalar("value") is not null))
            {
                env[item.Scalar("name")!] = item.Scalar("value")!;
            }

            var options = ComposeFileTests.Bind(env);
            var seconds = pod.Scalar("terminationGracePeriodSeconds") ?? "30";
            var grace = TimeSpan.FromSeconds(int.Parse(seconds, CultureInfo.InvariantCulture));
            Assert.True(grace >= options.ShutdownTimeout + Margin, $"{name}: terminationGracePeriodSeconds {seconds} is not Grid:ShutdownTimeout {options.ShutdownTimeout} + {Margin}");
            Assert.True(grace <= options.ShutdownTimeout + TooLong, $"{name}: terminationGracePeriodSeconds {seconds} is far beyond Grid:ShutdownTimeout {options.ShutdownTimeout}");
            // A preStop hook would spend the grace period before SIGTERM reaches the silo: it drains on SIGTERM itself.
            Assert.Null(container.Get("lifecycle"));
        }
    }

    /// <summary>Compose durations: "45s", "1m30s", "1h".</summary>
    private static TimeSpan ComposeDuration(string text)
    {
        var parts = Duration().Matches(text);
        Assert.True(parts.Count > 0 && string.Concat(parts.Select(p => p.Value)) == text, $"'{text}' is not a compose duration");
        return parts.Aggregate(TimeSpan.Zero, (total, p) => total + (p.Groups[2].Value switch
        {
            "h" => TimeSpan.FromHours(double.Parse(p.Groups[1].Value, CultureInfo.InvariantCulture)),
            "m" => TimeSpan.FromMinutes(double.Parse(p.Groups[1].Value, CultureInfo.InvariantCulture)),
            "ms" => TimeSpan.FromMilliseconds(double.Parse(p.Groups[1].Value, CultureInfo.InvariantCulture)),
            _ => TimeSpan.FromSeconds(double.Parse(p.Groups[1].Value, CultureInfo.InvariantCulture)),
        }));
    }

    [GeneratedRegex(@"(\d+(?:\.\d+)?)(ms|h|m|s)")]
    private static partial Regex Duration();
}
