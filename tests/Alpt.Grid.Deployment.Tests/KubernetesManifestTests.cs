using System.Globalization;
using Alpt.Grid.Silo.Configuration;
using Alpt.Grid.Silo.Hosting;
using Alpt.Grid.Silo.Workers;
using YamlDotNet.RepresentationModel;

namespace Alpt.Grid.Deployment.Tests;

/// <summary>deploy/kubernetes against the silo's options (no cluster here: parsed, not applied).</summary>
public sealed class KubernetesManifestTests
{
    private const string Folder = "deploy/kubernetes";
    private static readonly string[] Silos = ["coordinator", "worker-cpu", "worker-gpu"];

    private static IReadOnlyList<YamlMappingNode> Resources { get; } = Directory.GetFiles(Repository.PathOf(Folder), "*.yaml")
        .Where(f => Path.GetFileName(f) != "kustomization.yaml")
        .SelectMany(f => Repository.YamlDocuments(Path.GetRelativePath(Repository.PathOf(""), f)))
        .ToList();

    private static YamlMappingNode Resource(string kind, string name) =>
        Resources.Single(r => r.Scalar("kind") == kind && r.Map("metadata").Scalar("name") == name);

    private static YamlMappingNode Container(string deployment) =>
        (YamlMappingNode)Resource("Deployment", deployment).Map("spec").Map("template").Map("spec").Items("containers").Single();

    private static Dictionary<string, string> Config { get; } =
        Resource("ConfigMap", "alpt-grid").Map("data").Entries().ToDictionary(e => e.Key, e => ((YamlScalarNode)e.Value).Value!);

    [Fact]
    public void The_kustomization_lists_every_manifest_and_each_parses_with_a_kind_and_name()
    {
        var kustomization = Repository.YamlDocuments($"{Folder}/kustomization.yaml").Single();
        var listed = kustomization.Items("resources").Cast<YamlScalarNode>().Select(r => r.Value).OfType<string>().ToHashSet();
        var files = Directory.GetFiles(Repository.PathOf(Folder), "*.yaml").Select(Path.GetFileName).OfType<string>().Where(f => f != "kustomization.yaml").ToHashSet();

        Assert.Equal(files, listed);
        Assert.All(Resources, r =>
        {
            Assert.False(string.IsNullOrEmpty(r.Scalar("apiVersion")));
            Assert.False(string.IsNullOrEmpty(r.Map("metadata").Scalar("name")));
        });
    }

    [Fact]
    public void The_config_map_holds_real_option_keys_that_validate_for_kubernetes_hosting()
    {
        Assert.All(Config.Keys, k => Assert.True(OptionKeys.IsSiloVariable(k), $"{k} is not a silo option"));
        Assert.DoesNotContain("ALPT_Grid__StorageConnectionString", Config.Keys);

        var options = ComposeFileTests.Bind(Config.Append(KeyValuePair.Create("ALPT_Grid__StorageConnectionString", "from-the-secret")).ToDictionary());
        GridHosting.Validate(options);
        Assert.Equal(ClusteringMode.Azure, options.Clustering);
        Assert.True(options.KubernetesHosting);
        Assert.True(options.ListenOnAnyAddress);
    }

    [Fact]
    public void Silo_deployments_take_the_config_map_the_storage_secret_and_the_pod_address()
    {
        foreach (var name in Silos)
        {
            var container = Container(name);
            var env = container.Items("env").Cast<YamlMappingNode>().ToList();
            var names = env.Select(e => e.Scalar("name")!).ToList();

            Assert.All(names, n => Assert.True(OptionKeys.IsSiloVariable(n) || OptionKeys.KubernetesHostingVariables.Contains(n), $"{name}: {n} is neither a silo option nor read by Orleans' Kubernetes hosting"));
            Assert.Superset(OptionKeys.KubernetesHostingVariables.ToHashSet(), names.Where(n => !n.StartsWith("ALPT_", StringComparison.Ordinal)).ToHashSet());
            Assert.Equal("alpt-grid", ((YamlMappingNode)container.Items("envFrom").Single()).Map("configMapRef").Scalar("name"));
            var secret = env.Single(e => e.Scalar("name") == "ALPT_Grid__StorageConnectionString").Map("valueFrom").Map("secretKeyRef");
            Assert.Equal("alpt-grid-storage", secret.Scalar("name"));
            Assert.Equal("status.podIP", env.Single(e => e.Scalar("name") == "ALPT_Grid__AdvertisedAddress").Map("valueFrom").Map("fieldRef").Scalar("fieldPath"));
            Assert.Equal("alpt-silo", Resource("Deployment", name).Map("spec").Map("template").Map("spec").Scalar("serviceAccountName"));
        }
    }

    [Fact]
    public void Pod_labels_match_the_cluster_and_service_ids_that_kubernetes_hosting_reads()
    {
        foreach (var name in Silos)
        {
            var labels = Resource("Deployment", name).Map("spec").Map("template").Map("metadata").Map("labels");
            Assert.Equal(Config["ALPT_Grid__ServiceId"], labels.Scalar("orleans/serviceId"));
            Assert.Equal(Config["ALPT_Grid__ClusterId"], labels.Scalar("orleans/clusterId"));
        }

        var rules = Resource("Role", "alpt-silo").Items("rules").Cast<YamlMappingNode>().Single();
        Assert.Superset(new HashSet<string?> { "get", "list", "watch", "delete" }, rules.Items("verbs").Cast<YamlScalarNode>().Select(v => v.Value).ToHashSet());
    }

    [Fact]
    public void Slots_gpu_limits_ports_probes_and_scrape_annotations_agree_with_the_options()
    {
        var options = ComposeFileTests.Bind(Config.Append(KeyValuePair.Create("ALPT_Grid__StorageConnectionString", "x")).ToDictionary());
        var slots = Silos.ToDictionary(s => s, s => Container(s).Items("env").Cast<YamlMappingNode>().Single(e => e.Scalar("name") == "ALPT_Grid__Slots").Scalar("value"));

        Assert.Equal("none", slots["coordinator"]);
        Assert.StartsWith("cpu*", slots["worker-cpu"], StringComparison.Ordinal);
        // The GPU worker's slots follow the pod's nvidia.com/gpu limit (the GPUs the device plugin shows it),
        // SlotsPerGpu on each: never a device list that a new limit would leave stale.
        var gpu = Container("worker-gpu");
        var env = gpu.Items("env").Cast<YamlMappingNode>().Where(e => e.Get("value") is not null).ToDictionary(e => e.Scalar("name")!, e => e.Scalar("value")!);
        var gpuOptions = ComposeFileTests.Bind(Config.Concat(env).Append(KeyValuePair.Create("ALPT_Grid__StorageConnectionString", "x")).GroupBy(e => e.Key).ToDictionary(g => g.Key, g => g.Last().Value));
        GridHosting.Validate(gpuOptions);
        var limit = int.Parse(gpu.Map("resources").Map("limits").Scalar("nvidia.com/gpu")!, CultureInfo.InvariantCulture);
        Assert.Equal(limit.ToString(CultureInfo.InvariantCulture), gpu.Map("resources").Map("requests").Scalar("nvidia.com/gpu"));
        Assert.True(SlotSpec.Parse(gpuOptions.Slots).NeedsGpuCount, $"worker-gpu slots '{gpuOptions.Slots}' must follow the GPU limit (cuda or gpu)");
        foreach (var given in new[] { limit, 4, 8 })
        {
            var plan = SlotPlan.For(gpuOptions, new SlotHardware(16, given, "pod limit"));
            Assert.Equal(given * gpuOptions.SlotsPerGpu, plan.Slots.Count);
            Assert.Equal(Enumerable.Range(0, given).Select(i => $"cuda:{i}"), plan.Slots.Select(s => s.Device).Distinct());
        }

        Assert.EndsWith(":cuda", gpu.Scalar("image"), StringComparison.Ordinal);
        Assert.Null(Container("worker-cpu").Map("resources").Map("limits").Get("nvidia.com/gpu"));

        foreach (var name in Silos)
        {
            var container = Container(name);
            var ports = container.Items("ports").Cast<YamlMappingNode>().ToDictionary(p => p.Scalar("name")!, p => int.Parse(p.Scalar("containerPort")!, CultureInfo.InvariantCulture));
            Assert.Equal(options.SiloPort, ports["silo"]);
            Assert.Equal(options.GatewayPort, ports["gateway"]);
            Assert.Equal(options.Metrics.Port, ports["metrics"]);
            Assert.Equal(options.Metrics.Path, container.Map("readinessProbe").Map("httpGet").Scalar("path"));

            var annotations = Resource("Deployment", name).Map("spec").Map("template").Map("metadata").Map("annotations");
            Assert.Equal("true", annotations.Scalar("prometheus.io/scrape"));
            Assert.Equal(options.Metrics.Port.ToString(CultureInfo.InvariantCulture), annotations.Scalar("prometheus.io/port"));
            Assert.Equal(options.Metrics.Path, annotations.Scalar("prometheus.io/path"));
        }
    }

    [Fact]
    public void The_gateway_service_reaches_the_coordinator_and_prometheus_finds_every_silo()
    {
        var gateway = Resource("Service", "alpt-gateway").Map("spec");
        var port = (YamlMappingNode)gateway.Items("ports").Single();
        Assert.Equal("coordinator", gateway.Map("selector").Scalar("app.kubernetes.io/component"));
        Assert.Equal(Config["ALPT_Grid__GatewayPort"], port.Scalar("port"));
        Assert.Equal("gateway", port.Scalar("targetPort"));

        var silos = Resource("Service", "alpt-silos").Map("spec");
        Assert.Equal("None", silos.Scalar("clusterIP"));
        Assert.All(Silos, s => Assert.Equal(silos.Map("selector").Scalar("app.kubernetes.io/name"),
            Resource("Deployment", s).Map("spec").Map("template").Map("metadata").Map("labels").Scalar("app.kubernetes.io/name")));

        var prometheus = Repository.YamlDocuments("deploy/prometheus.kubernetes.yml").Single();
        var dns = (YamlMappingNode)((YamlMappingNode)prometheus.Items("scrape_configs").Single()).Items("dns_sd_configs").Single();
        var ns = Resource("Namespace", "alpt-grid").Map("metadata").Scalar("name");
        Assert.Equal($"alpt-silos.{ns}.svc.cluster.local", ((YamlScalarNode)dns.Items("names").Single()).Value);
        Assert.Equal(Config["ALPT_Grid__Metrics__Port"], dns.Scalar("port"));
        Assert.Equal(ns, Repository.YamlDocuments($"{Folder}/kustomization.yaml").Single().Scalar("namespace"));
    }

    [Fact]
    public void The_dashboard_runs_on_every_silo_on_the_pods_loopback_and_no_service_exposes_it()
    {
        var options = ComposeFileTests.Bind(Config.Append(KeyValuePair.Create("ALPT_Grid__StorageConnectionString", "x")).ToDictionary());

        // Reached with kubectl port-forward (docs): it has no authentication, so nothing routes to it.
        Assert.Equal((true, "127.0.0.1"), (options.Dashboard.Enabled, options.Dashboard.Host));
        Assert.All(Silos, s => Assert.DoesNotContain(Container(s).Items("env").Cast<YamlMappingNode>(), e => e.Scalar("name")!.StartsWith("ALPT_Grid__Dashboard__", StringComparison.Ordinal)));
        foreach (var service in new[] { "alpt-gateway", "alpt-silos" })
        {
            Assert.DoesNotContain(Resource("Service", service).Map("spec").Items("ports").Cast<YamlMappingNode>(), p => p.Scalar("port") == options.Dashboard.Port!.Value.ToString(CultureInfo.InvariantCulture));
        }
    }

    [Fact]
    public void No_secret_value_is_committed()
    {
        Assert.DoesNotContain(Resources, r => r.Scalar("kind") == "Secret");
        Assert.All(Directory.GetFiles(Repository.PathOf(Folder)), f => Assert.DoesNotContain("AccountKey=", File.ReadAllText(f).Replace("AccountKey=…", "", StringComparison.Ordinal), StringComparison.Ordinal));
    }
}
