using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Alpt.Grid.Silo.Hosting;
using YamlDotNet.RepresentationModel;

namespace Alpt.Grid.Deployment.Tests;

/// <summary>
/// Mutual TLS as deployed: deploy/compose.tls.yml (a compose override) and deploy/kubernetes/tls (a
/// kustomize component), against the silo's Grid:Tls options. Parsed here, not run (no engine, no cluster).
/// </summary>
public sealed class TlsDeploymentTests : IDisposable
{
    private static readonly string[] Silos = ["coordinator", "worker-cpu", "worker-gpu"];

    private readonly string scratch = Path.Combine(Path.GetTempPath(), "alpt-tls-deploy-" + Guid.NewGuid().ToString("N"));

    public TlsDeploymentTests() => Directory.CreateDirectory(scratch);

    public void Dispose() => Directory.Delete(scratch, recursive: true);

    [Fact]
    public void The_compose_override_gives_every_silo_and_the_console_the_certificate_as_a_secret_and_its_password_from_env()
    {
        var compose = Repository.YamlDocuments("docker-compose.yml").Single();
        var tls = Repository.YamlDocuments("deploy/compose.tls.yml").Single();
        var services = tls.Map("services").Entries().Select(e => e.Key).ToHashSet();
        var secrets = tls.Map("secrets");

        Assert.Equal(Silos.Append("console").ToHashSet(), services);
        foreach (var name in services)
        {
            Assert.NotNull(compose.Map("services").Get(name)); // an override only of services that exist
            var env = tls.Map("services").Map(name).Environment();
            Assert.Equal(["ALPT_Grid__Tls__CertificatePassword", "ALPT_Grid__Tls__CertificatePath"], env.Keys.Order(StringComparer.Ordinal));
            Assert.All(env.Keys, k => Assert.True(OptionKeys.IsSiloVariable(k), $"{name}: {k} is not a silo option"));
            Assert.Matches(@"^\$\{ALPT_TLS_CERTIFICATE_PASSWORD:\?", env["ALPT_Grid__Tls__CertificatePassword"]);

            // Compose mounts a service's secret at /run/secrets/<name>: the path the silo is told.
            var secret = Assert.Single(tls.Map("services").Map(name).Items("secrets").Cast<YamlScalarNode>()).Value!;
            Assert.Equal("/run/secrets/" + secret, env["ALPT_Grid__Tls__CertificatePath"]);
            Assert.False(string.IsNullOrEmpty(secrets.Map(secret).Scalar("file")), $"secret {secret} has no file");
        }

        // The variables it reads are documented in .env.example (commented: TLS is opt-in), and the
        // default certificate folder is git-ignored.
        var example = Repository.Text(".env.example");
        Assert.All(Repository.Variables(Repository.Text("deploy/compose.tls.yml")).Distinct(), v => Assert.Contains("# " + v + "=", example, StringComparison.Ordinal));
        Assert.Contains("/deploy/secrets/", Repository.Text(".gitignore").Split('\n'));
        Assert.Contains("deploy/compose.tls.yml", Repository.Text("docker-compose.yml"), StringComparison.Ordinal);
    }

    [Fact]
    public void A_silo_configured_by_compose_and_the_override_validates_with_a_real_certificate()
    {
        var (path, password) = Certificate();
        var compose = Repository.YamlDocuments("docker-compose.yml").Single();
        var tls = Repository.YamlDocuments("deploy/compose.tls.yml").Single();
        foreach (var name in Silos)
        {
            var env = compose.Map("services").Map(name).Environment();
            foreach (var (key, value) in tls.Map("services").Map(name).Environment())
            {
                env[key] = value;
            }

            // What the container would see: the mounted secret (here a file made now) and the password from .env.
            env["ALPT_Grid__Tls__CertificatePath"] = path;
            env["ALPT_Grid__Tls__CertificatePassword"] = password;
            var options = ComposeFileTests.Bind(env);

            GridHosting.Validate(options);
            Assert.True(options.Tls.Enabled, $"{name}: TLS is not on");
        }
    }

    [Fact]
    public void The_kubernetes_component_mounts_the_tls_secret_where_every_silo_deployment_is_told_to_look()
    {
        var component = Repository.YamlDocuments("deploy/kubernetes/tls/kustomization.yaml").Single();
        Assert.Equal("Component", component.Scalar("kind"));
        var patch = (YamlMappingNode)Assert.Single(component.Items("patches"));

        // The target selects all three silo Deployments.
        var target = patch.Map("target");
        Assert.Equal("Deployment", target.Scalar("kind"));
        var (label, value) = target.Scalar("labelSelector")!.Split('=') is [var l, var v] ? (l, v) : throw new InvalidOperationException("labelSelector is not key=value");
        foreach (var silo in Silos)
        {
            var deployment = Repository.YamlDocuments($"deploy/kubernetes/{silo}.yaml").Single(d => d.Scalar("kind") == "Deployment");
            Assert.Equal(value, deployment.Map("metadata").Map("labels").Scalar(label));
        }

        var stream = new YamlStream();
        stream.Load(new StringReader(patch.Scalar("patch")!));
        var pod = ((YamlMappingNode)stream.Documents.Single().RootNode).Map("spec").Map("template").Map("spec");
        var container = (YamlMappingNode)Assert.Single(pod.Items("containers"));
        foreach (var silo in Silos)
        {
            var deployment = Repository.YamlDocuments($"deploy/kubernetes/{silo}.yaml").Single(d => d.Scalar("kind") == "Deployment");
            var names = deployment.Map("spec").Map("template").Map("spec").Items("containers").Select(c => c.Scalar("name"));
            Assert.Contains(container.Scalar("name"), names); // a strategic merge by container name
        }

        var env = container.Items("env").Cast<YamlMappingNode>().ToDictionary(e => e.Scalar("name")!);
        Assert.All(env.Keys, n => Assert.True(OptionKeys.IsSiloVariable(n), $"{n} is not a silo option"));
        var certificatePath = env["ALPT_Grid__Tls__CertificatePath"].Scalar("value")!;
        var password = env["ALPT_Grid__Tls__CertificatePassword"].Map("valueFrom").Map("secretKeyRef");
        var volume = (YamlMappingNode)Assert.Single(pod.Items("volumes"));
        var mount = (YamlMappingNode)Assert.Single(container.Items("volumeMounts"));
        var secret = volume.Map("secret");

        Assert.Equal(volume.Scalar("name"), mount.Scalar("name"));
        Assert.Equal("true", mount.Scalar("readOnly"));
        Assert.Equal(secret.Scalar("secretName"), password.Scalar("name"));
        Assert.Equal(mount.Scalar("mountPath") + "/" + Path.GetFileName(certificatePath), certificatePath);
        Assert.Contains(Path.GetFileName(certificatePath), secret.Items("items").Select(i => i.Scalar("path")));
        Assert.Contains("#   - tls", Repository.Text("deploy/kubernetes/kustomization.yaml").Split('\n'));
    }

    /// <summary>A self-signed client-and-server certificate as a password-protected .pfx.</summary>
    private (string Path, string Password) Certificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=alpt-grid", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], critical: false));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        var path = Path.Combine(scratch, "grid.pfx");
        const string password = "deploy-test-pass";
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pkcs12, password));
        return (path, password);
    }
}
