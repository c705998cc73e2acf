using Alpt.Grid.Silo.Configuration;
using Alpt.Grid.Silo.Hosting;
using Alpt.Grid.Silo.Telemetry;
using Microsoft.Extensions.Configuration;
using YamlDotNet.RepresentationModel;

namespace Alpt.Grid.Deployment.Tests;

/// <summary>docker-compose.yml against the silo's options (no Docker engine here: parsed, not run).</summary>
public sealed class ComposeFileTests
{
    private static readonly string[] Silos = ["coordinator", "worker-cpu", "worker-gpu"];

    private static YamlMappingNode Compose { get; } = Repository.YamlDocuments("docker-compose.yml").Single();

    private static YamlMappingNode Service(string name) => Compose.Map("services").Map(name);

    [Fact]
    public void Has_storage_a_coordinator_cpu_and_gpu_workers_prometheus_grafana_and_the_console()
    {
        var services = Compose.Map("services").Entries().Select(e => e.Key).ToHashSet();

        Assert.Superset(services, Silos.Concat(["azurite", "prometheus", "grafana", "console"]).ToHashSet());
    }

    [Fact]
    public void Every_variable_given_to_a_silo_or_the_console_is_a_real_option_key()
    {
        foreach (var name in Silos.Append("console"))
        {
            var env = Service(name).Environment();
            Assert.NotEmpty(env);
            Assert.All(env.Keys, key => Assert.True(OptionKeys.IsSiloVariable(key), $"{name}: {key} is not a silo option (docs/CONFIGURATION.md)"));
        }
    }

    [Fact]
    public void Every_value_parses_as_the_silo_would_bind_it()
    {
        foreach (var name in Silos)
        {
            var options = Bind(Service(name).Environment());

            GridHosting.Validate(options);
            Assert.Equal(ClusteringMode.Azure, options.Clustering);
            Assert.True(options.ListenOnAnyAddress, $"{name} must listen on every interface inside its container");
            Assert.Equal("0.0.0.0", options.Metrics.Host);
        }
    }

    [Fact]
    public void The_coordinator_runs_no_trials_cpu_workers_scale_and_the_gpu_worker_has_cuda_slots_and_an_nvidia_device()
    {
        Assert.Equal("none", Bind(Service("coordinator").Environment()).Slots);
        Assert.StartsWith("cpu", Bind(Service("worker-cpu").Environment()).Slots, StringComparison.Ordinal);

        // --scale needs replicas without a fixed name or host port.
        Assert.Null(Service("worker-cpu").Get("container_name"));
        Assert.Null(Service("worker-cpu").Get("ports"));

        var gpu = Service("worker-gpu");
        Assert.StartsWith("cuda", Bind(gpu.Environment()).Slots, StringComparison.Ordinal);
        Assert.Equal("cuda", gpu.Map("build").Map("args").Scalar("TORCH_BACKEND"));
        Assert.Equal("cpu", Service("worker-cpu").Map("build").Map("args").Scalar("TORCH_BACKEND"));
        var device = (YamlMappingNode)gpu.Map("deploy").Map("resources").Map("reservations").Items("devices").Single();
        Assert.Equal("nvidia", device.Scalar("driver"));
        Assert.Contains("gpu", device.Items("capabilities").Cast<YamlScalarNode>().Select(c => c.Value));
    }

    /// <summary>The GPU worker uses every GPU it reserves: its slots and its device reservation both come from ALPT_GPU_COUNT.</summary>
    [Theory]
    [InlineData(null, null, 1, 1)]
    [InlineData("4", null, 4, 1)]
    [InlineData("8", "2", 8, 2)]
    [InlineData("2", "3", 2, 3)]
    public void The_gpu_worker_has_slots_per_gpu_on_every_gpu_it_reserves(string? gpuCount, string? slotsPerGpu, int gpus, int perGpu)
    {
        var variables = Repository.EnvExample.Where(v => v.Key is not ("ALPT_GPU_COUNT" or "ALPT_GPU_SLOTS_PER_GPU")).ToDictionary();
        if (gpuCount is not null)
        {
            variables["ALPT_GPU_COUNT"] = gpuCount;
        }

        if (slotsPerGpu is not null)
        {
            variables["ALPT_GPU_SLOTS_PER_GPU"] = slotsPerGpu;
        }

        var gpu = Service("worker-gpu");
        var options = Bind(gpu.Environment(), variables);
        var device = (YamlMappingNode)gpu.Map("deploy").Map("resources").Map("reservations").Items("devices").Single();
        var reserved = int.Parse(Repository.Interpolate(device.Scalar("count")!, variables), System.Globalization.CultureInfo.InvariantCulture);

        GridHosting.Validate(options);
        // The container sees exactly the reserved GPUs; the plan must not depend on asking them.
        var plan = Alpt.Grid.Silo.Workers.SlotPlan.For(options, new Alpt.Grid.Silo.Workers.SlotHardware(16, reserved, "reserved"));
        Assert.Equal(gpus, reserved);
        Assert.Equal(gpus * perGpu, plan.Slots.Count);
        Assert.Equal(Enumerable.Range(0, gpus).Select(i => $"cuda:{i}"), plan.Slots.Select(s => s.Device).Distinct());
        Assert.All(plan.Slots.GroupBy(s => s.Device), g => Assert.Equal(perGpu, g.Count()));
    }

    [Fact]
    public void The_silo_image_build_argument_selects_the_torch_backend()
    {
        var dockerfile = Repository.Text("deploy/silo.Dockerfile");

        Assert.Contains("-p:AlptTorchBackend=${TORCH_BACKEND}", dockerfile, StringComparison.Ordinal);
        Assert.Contains("FROM runtime-${TORCH_BACKEND}", dockerfile, StringComparison.Ordinal);
        foreach (var name in Silos)
        {
            Assert.Equal("deploy/silo.Dockerfile", Service(name).Map("build").Scalar("dockerfile"));
        }

        Assert.Equal("deploy/console.Dockerfile", Service("console").Map("build").Scalar("dockerfile"));
    }

    [Fact]
    public void Silo_ports_health_checks_and_prometheus_targets_agree_with_the_configured_ports()
    {
        var prometheus = Repository.YamlDocuments("deploy/prometheus.compose.yml").Single();
        var job = (YamlMappingNode)prometheus.Items("scrape_configs").Single(j => j.Scalar("job_name") == "alpt-silo");
        var dns = (YamlMappingNode)job.Items("dns_sd_configs").Single();
        var scraped = dns.Items("names").Cast<YamlScalarNode>().Select(n => n.Value!).ToHashSet();

        Assert.Equal(Silos.ToHashSet(), scraped);
        Assert.Equal(new SiloMetricsOptions().Path, job.Scalar("metrics_path"));
        foreach (var name in Silos)
        {
            var service = Service(name);
            var options = Bind(service.Environment());
            var exposed = service.Items("expose").Cast<YamlScalarNode>().Select(p => int.Parse(p.Value!, System.Globalization.CultureInfo.InvariantCulture)).ToHashSet();

            Assert.Equal(options.Metrics.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), dns.Scalar("port"));
            Assert.Superset(exposed, new HashSet<int> { options.SiloPort, options.GatewayPort, options.Metrics.Port });
            var health = string.Join(' ', service.Map("healthcheck").Items("test").Cast<YamlScalarNode>().Select(t => t.Value));
            Assert.Contains($"127.0.0.1:{options.Metrics.Port}{options.Metrics.Path}", health, StringComparison.Ordinal);
        }

        var gateway = Bind(Service("coordinator").Environment()).GatewayPort;
        Assert.Contains(Service("coordinator").Items("ports").Cast<YamlScalarNode>(), p => p.Value!.EndsWith($":{gateway}", StringComparison.Ordinal));
    }

    [Fact]
    public void The_dashboard_runs_on_every_silo_and_only_the_coordinators_is_published_on_the_hosts_loopback()
    {
        foreach (var name in Silos)
        {
            var options = Bind(Service(name).Environment());
            Assert.True(options.Dashboard.Enabled, $"{name} has no Grid:Dashboard:Port");
            Assert.Equal(name == "coordinator" ? "0.0.0.0" : "127.0.0.1", options.Dashboard.Host);
        }

        var port = Bind(Service("coordinator").Environment()).Dashboard.Port;
        Assert.Contains(Service("coordinator").Items("ports").Cast<YamlScalarNode>(), p => p.Value == $"127.0.0.1:{port}:{port}");
        Assert.DoesNotContain(Silos.Where(s => s != "coordinator"), s => Service(s).Get("ports") is not null);
    }

    [Fact]
    public void Long_running_services_restart_and_have_health_checks()
    {
        foreach (var name in Silos.Concat(["azurite", "prometheus", "grafana"]))
        {
            Assert.Equal("unless-stopped", Service(name).Scalar("restart"));
            Assert.NotEmpty(Service(name).Map("healthcheck").Items("test"));
        }
    }

    [Fact]
    public void State_is_in_declared_named_volumes_and_bind_mounts_point_at_repository_files()
    {
        var declared = Compose.Map("volumes").Entries().Select(e => e.Key).ToHashSet();
        var used = new Dictionary<string, string>();
        foreach (var (name, service) in Compose.Map("services").Entries())
        {
            foreach (var mount in service.Items("volumes").Cast<YamlScalarNode>().Select(v => v.Value!))
            {
                var source = mount.Split(':')[0];
                if (source.StartsWith('.'))
                {
                    Assert.True(Path.Exists(Repository.PathOf(source)), $"{name} mounts {source}, which does not exist");
                }
                else
                {
                    Assert.Contains(source, declared);
                    used[name] = source;
                }
            }
        }

        Assert.Equal(declared, used.Values.ToHashSet());
        Assert.Superset(used.Keys.ToHashSet(), new HashSet<string> { "azurite", "prometheus", "grafana" });
    }

    [Fact]
    public void Grafana_is_provisioned_from_the_repository_and_reads_the_compose_prometheus()
    {
        var grafana = Service("grafana");
        var mounts = grafana.Items("volumes").Cast<YamlScalarNode>().Select(v => v.Value!).ToList();
        var dashboards = Repository.Text("grafana/provisioning/dashboards/alpt.yml");

        Assert.Contains("./grafana/provisioning:/etc/grafana/provisioning:ro", mounts);
        var target = mounts.Single(m => m.StartsWith("./grafana/dashboards:", StringComparison.Ordinal)).Split(':')[1];
        Assert.Contains(target, dashboards, StringComparison.Ordinal);
        Assert.Equal("http://prometheus:9090", grafana.Environment()["ALPT_PROMETHEUS_URL"]);
        Assert.Contains("ALPT_PROMETHEUS_URL", Repository.Text("grafana/provisioning/datasources/prometheus.yml"), StringComparison.Ordinal);
    }

    [Fact]
    public void Secrets_come_from_the_environment_never_from_the_file_or_an_image()
    {
        var compose = Repository.Text("docker-compose.yml");

        Assert.DoesNotContain("AccountKey", compose, StringComparison.Ordinal);
        foreach (var name in Silos.Append("console"))
        {
            Assert.Matches(@"^\$\{ALPT_STORAGE_CONNECTION_STRING:\?", Service(name).Environment()["ALPT_Grid__StorageConnectionString"]);
        }

        // Every variable the file interpolates has a value in .env.example or a default.
        Assert.All(Repository.Variables(compose).Distinct(), v => Repository.Interpolate("${" + v + ":-x}"));
        Assert.All(Repository.Variables(compose).Distinct(), v => Assert.True(Repository.EnvExample.ContainsKey(v), $"{v} is not in .env.example"));
        foreach (var dockerfile in new[] { "deploy/silo.Dockerfile", "deploy/console.Dockerfile" })
        {
            var text = Repository.Text(dockerfile);
            Assert.DoesNotContain("StorageConnectionString=", text, StringComparison.Ordinal);
            Assert.DoesNotContain("AccountKey", text, StringComparison.Ordinal);
            Assert.True(text.Split('\n').Count(l => l.StartsWith("FROM ", StringComparison.Ordinal)) >= 2, $"{dockerfile} is not multi-stage");
        }

        Assert.Contains(".env", File.ReadAllLines(Repository.PathOf(".dockerignore")));
    }

    /// <summary>Binds a compose environment (interpolated against .env.example) as the silo binds ALPT_*.</summary>
    internal static GridSiloOptions Bind(IReadOnlyDictionary<string, string> environment, IReadOnlyDictionary<string, string>? variables = null)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(environment
                .Where(e => e.Key.StartsWith("ALPT_", StringComparison.Ordinal))
                .Select(e => KeyValuePair.Create<string, string?>(e.Key["ALPT_".Length..].Replace("__", ":", StringComparison.Ordinal), Repository.Interpolate(e.Value, variables))))
            .Build();
        return GridHosting.ReadOptions(configuration);
    }
}
