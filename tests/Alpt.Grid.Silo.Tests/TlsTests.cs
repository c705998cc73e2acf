using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Alpt.Grid.Abstractions.Sweeps;
using Alpt.Grid.Silo.Configuration;
using Alpt.Grid.Silo.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace Alpt.Grid.Silo.Tests;

/// <summary>
/// Grid:Tls with real Orleans hosts on loopback: self-signed certificates made here, written as
/// password-protected .pfx files to a temporary folder.
/// </summary>
public sealed class TlsTests : IDisposable
{
    private const string Password = "s3cret-Pfx-pass";

    // How long a refused client is given to (wrongly) connect, and a refused handshake to fail.
    private static readonly TimeSpan RefusalLimit = TimeSpan.FromSeconds(10);

    // A client that should connect gets much longer (a loaded 2-core machine).
    private static readonly TimeSpan ConnectLimit = TimeSpan.FromSeconds(60);

    private readonly string root = Path.Combine(Path.GetTempPath(), "alpt-tls-" + Guid.NewGuid().ToString("N"));

    public TlsTests() => Directory.CreateDirectory(root);

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Fact]
    public async Task A_client_with_the_cluster_certificate_runs_a_sweep_on_a_tls_silo()
    {
        var cluster = Certificate("cluster");
        await using var grid = await StartSilo(cluster);

        using var client = await StartClient(grid, cluster);
        var grains = client.Services.GetRequiredService<IClusterClient>();
        await grains.GetGrain<ISweepGrain>("tls").Launch(new SweepSpec
        {
            Name = "tls",
            Targets = ["asterix"],
            Budgets = [300],
            Methods = ["oracle"],
            Seeds = [0, 1, 2],
        });
        var status = await WaitForCompletion(grains, "tls", TimeSpan.FromSeconds(60));

        Assert.Equal((SweepState.Completed, 3), (status.State, status.Counts.Succeeded));
        await client.StopAsync();
    }

    [Fact]
    public async Task A_client_without_tls_cannot_talk_to_a_tls_silo()
    {
        await using var grid = await StartSilo(Certificate("cluster"));

        // The gateway drops plain bytes at once (an Orleans client retries until its start is cancelled).
        using var socket = new System.Net.Sockets.TcpClient();
        await socket.ConnectAsync(IPAddress.Loopback, GatewayPort(grid));
        var stream = socket.GetStream();
        await stream.WriteAsync("not a TLS client hello, just plain bytes\r\n"u8.ToArray());
        var read = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            if (await stream.ReadAsync(new byte[64]).AsTask().WaitAsync(RefusalLimit) == 0)
            {
                throw new EndOfStreamException("closed by the silo");
            }
        });
        Assert.IsNotType<TimeoutException>(read);

        await AssertNeverConnects(() => StartClient(grid, tls: null, expectRefusal: true));
    }

    [Fact]
    public async Task A_foreign_certificate_is_refused_until_the_silo_allows_its_thumbprint()
    {
        var cluster = Certificate("cluster");
        var other = Certificate("other");
        // The client pins the silo's certificate, so only the silo's decision is under test.
        var otherTrustingCluster = other with { Allowed = [cluster.Thumbprint] };

        await using (var grid = await StartSilo(cluster))
        {
            await Handshake(GatewayPort(grid), cluster); // the probe itself passes with the cluster certificate
            var refused = await Assert.ThrowsAnyAsync<Exception>(() => Handshake(GatewayPort(grid), other));
            Assert.False(refused is OperationCanceledException, $"the handshake hung instead of failing: {refused}");
            await AssertNeverConnects(() => StartClient(grid, otherTrustingCluster, expectRefusal: true));
        }

        await using (var grid = await StartSilo(cluster with { Allowed = [other.Thumbprint.ToLowerInvariant()] }))
        {
            using var client = await StartClient(grid, otherTrustingCluster);
            var sweeps = await client.Services.GetRequiredService<IClusterClient>().GetGrain<ISweepGrain>("none").GetStatus();
            Assert.NotNull(sweeps);
            await client.StopAsync();
        }
    }

    [Fact]
    public async Task Two_silos_with_the_cluster_certificate_form_one_cluster()
    {
        var cluster = Certificate("cluster");
        var primary = new IPEndPoint(IPAddress.Loopback, LoopbackPorts.Free());
        using var first = await StartBareSilo(primary.Port, primary, cluster);
        using var second = await StartBareSilo(LoopbackPorts.Free(), primary, cluster);

        var management = first.Services.GetRequiredService<IGrainFactory>().GetGrain<IManagementGrain>(0);
        var active = 0;
        var watch = Stopwatch.StartNew();
        while (active < 2 && watch.Elapsed < TimeSpan.FromSeconds(60))
        {
            active = (await management.GetHosts(onlyActive: true)).Count;
            await Task.Delay(200);
        }

        Assert.Equal(2, active);
        await second.StopAsync();
        await first.StopAsync();
    }

    [Fact]
    public async Task A_silo_with_a_foreign_certificate_cannot_join_the_cluster()
    {
        var cluster = Certificate("cluster");
        // The intruder pins the cluster's certificate, so only the cluster's decision is under test.
        var foreign = Certificate("other") with { Allowed = [cluster.Thumbprint] };
        var primary = new IPEndPoint(IPAddress.Loopback, LoopbackPorts.Free());
        using var first = await StartBareSilo(primary.Port, primary, cluster);

        // Joining means talking to the primary silo; its TLS handshake refuses the foreign certificate, so
        // the intruder's start fails or never completes.
        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            using var intruder = await StartBareSilo(LoopbackPorts.Free(), primary, foreign, startLimit: TimeSpan.FromSeconds(20));
        });
        var management = first.Services.GetRequiredService<IGrainFactory>().GetGrain<IManagementGrain>(0);
        var active = await management.GetHosts(onlyActive: true);

        Assert.Equal([primary.Port], active.Keys.Select(s => s.Endpoint.Port));
        await first.StopAsync();
    }

    [Fact]
    public void A_missing_file_is_named_in_the_startup_error()
    {
        var options = new GridSiloOptions { Tls = { CertificatePath = Path.Combine(root, "absent.pfx"), CertificatePassword = Password } };

        var error = Assert.Throws<InvalidOperationException>(() => GridHosting.Validate(options));

        Assert.Contains("Grid:Tls:CertificatePath", error.Message, StringComparison.Ordinal);
        Assert.Contains("absent.pfx", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_wrong_password_is_named_in_the_startup_error_without_either_password()
    {
        var cluster = Certificate("cluster");
        const string wrong = "not-the-Pfx-pass";
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Test", Args = [] });

        var silo = Assert.Throws<InvalidOperationException>(() => builder.AddGridSilo(o =>
        {
            o.DataDirectory = Path.Combine(root, "grid");
            o.Tls.CertificatePath = cluster.Path;
            o.Tls.CertificatePassword = wrong;
        }));
        var client = Assert.Throws<InvalidOperationException>(() => GridHosting.Validate(
            new GridSiloOptions { Tls = { CertificatePath = cluster.Path, CertificatePassword = wrong } }, silo: false));

        foreach (var message in new[] { silo.ToString(), client.ToString() })
        {
            Assert.Contains("Grid:Tls:CertificatePath", message, StringComparison.Ordinal);
            Assert.Contains("Grid:Tls:CertificatePassword", message, StringComparison.Ordinal);
            Assert.DoesNotContain(wrong, message, StringComparison.Ordinal);
            Assert.DoesNotContain(Password, message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_certificate_without_its_private_key_or_a_bad_thumbprint_is_refused_at_startup()
    {
        var cluster = Certificate("cluster");
        using (var full = X509CertificateLoader.LoadPkcs12FromFile(cluster.Path, Password))
        using (var bare = X509CertificateLoader.LoadCertificate(full.RawData))
        {
            File.WriteAllBytes(Path.Combine(root, "public.pfx"), bare.Export(X509ContentType.Pkcs12, Password));
        }

        var options = new GridSiloOptions
        {
            Tls = { CertificatePath = Path.Combine(root, "public.pfx"), CertificatePassword = Password, AllowedThumbprints = ["12:34"] },
        };

        var error = Assert.Throws<InvalidOperationException>(() => GridHosting.Validate(options));

        Assert.Contains("Grid:Tls:CertificatePath", error.Message, StringComparison.Ordinal);
        Assert.Contains("no private key", error.Message, StringComparison.Ordinal);
        Assert.Contains("Grid:Tls:AllowedThumbprints: '12:34'", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, error.Message + options.Tls, StringComparison.Ordinal);
    }

    [Fact]
    public void Tls_settings_without_a_certificate_are_refused_rather_than_silently_off()
    {
        var options = new GridSiloOptions { Tls = { AllowedThumbprints = [new string('A', 40)] } };

        var error = Assert.Throws<InvalidOperationException>(() => GridHosting.Validate(options, silo: false));

        Assert.Contains("Grid:Tls:CertificatePath is not", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Pinned_certificates_pass_despite_chain_and_name_errors_and_others_only_with_a_trusted_chain()
    {
        var own = Certificate("cluster");
        var allowed = Certificate("allowed");
        var stranger = Certificate("stranger");
        using var ownCertificate = X509CertificateLoader.LoadPkcs12FromFile(own.Path, Password);
        using var allowedCertificate = X509CertificateLoader.LoadPkcs12FromFile(allowed.Path, Password);
        using var strangerCertificate = X509CertificateLoader.LoadPkcs12FromFile(stranger.Path, Password);
        var selfSigned = SslPolicyErrors.RemoteCertificateChainErrors | SslPolicyErrors.RemoteCertificateNameMismatch;
        var sha256 = allowedCertificate.GetCertHashString(HashAlgorithmName.SHA256);
        var tls = new GridTlsOptions { AllowedThumbprints = [string.Join(':', sha256.Chunk(2).Select(c => new string(c)))] };

        var accept = GridTls.PeerValidator(ownCertificate, tls);
        var acceptTrusted = GridTls.PeerValidator(ownCertificate, new GridTlsOptions { TrustMachineStore = true });
        var later = new FixedTime(DateTimeOffset.UtcNow.AddDays(3));

        Assert.True(accept(ownCertificate, selfSigned));
        Assert.True(accept(allowedCertificate, selfSigned));
        Assert.False(accept(strangerCertificate, selfSigned));
        Assert.False(accept(strangerCertificate, SslPolicyErrors.None));
        Assert.True(acceptTrusted(strangerCertificate, SslPolicyErrors.RemoteCertificateNameMismatch));
        Assert.False(acceptTrusted(strangerCertificate, SslPolicyErrors.RemoteCertificateChainErrors));
        Assert.False(GridTls.PeerValidator(ownCertificate, tls, later)(allowedCertificate, selfSigned)); // expired
    }

    /// <summary>
    /// An Orleans client whose connections are refused does not fail its start: it retries the gateway
    /// until the start is cancelled. So: not connected within a bounded wait.
    /// </summary>
    private static async Task AssertNeverConnects(Func<Task<IHost>> start)
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            using var host = await start();
        });
        Assert.True(error is OperationCanceledException, $"expected no connection until the start deadline, got {error}");
    }

    /// <summary>A TLS handshake with the gateway presenting <paramref name="certificate"/> (accepting any server certificate): throws when the silo refuses it, returns when it accepts.</summary>
    private static async Task Handshake(int port, TestCertificate certificate)
    {
        using var client = new System.Net.Sockets.TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port);
        using var own = X509CertificateLoader.LoadPkcs12FromFile(certificate.Path, Password);
        await using var tls = new SslStream(client.GetStream(), leaveInnerStreamOpen: false, (_, _, _, _) => true);
        using var timeout = new CancellationTokenSource(RefusalLimit);
        await tls.AuthenticateAsClientAsync(
            new SslClientAuthenticationOptions
            {
                TargetHost = "alpt",
                ClientCertificates = [own],
                ApplicationProtocols = [new SslApplicationProtocol("Orleans1")],
            },
            timeout.Token);

        // TLS 1.3 reports a refused client certificate on the first read, after the handshake; an accepted
        // client reads nothing (the silo waits for the client's preamble), so a read still pending means accepted.
        try
        {
            if (await tls.ReadAsync(new byte[1]).AsTask().WaitAsync(TimeSpan.FromSeconds(3)) == 0)
            {
                throw new EndOfStreamException("the silo closed the connection");
            }
        }
        catch (TimeoutException)
        {
        }
    }

    private static int GatewayPort(EmbeddedGrid grid) => grid.Services.GetRequiredService<IOptions<GridSiloOptions>>().Value.GatewayPort;

    private async Task<EmbeddedGrid> StartSilo(TestCertificate certificate) =>
        await EmbeddedGrid.StartAsync(Path.Combine(root, "grid"), o =>
        {
            o.Slots = "cpu*2";
            o.Metrics.Enabled = false;
            certificate.ApplyTo(o.Tls);
        });

    private static async Task<IHost> StartClient(EmbeddedGrid grid, TestCertificate? tls, bool expectRefusal = false)
    {
        var gatewayPort = GatewayPort(grid);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Test", Args = [] });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.AddGridClient(o =>
        {
            o.GatewayPort = gatewayPort;
            tls?.ApplyTo(o.Tls);
        });
        var host = builder.Build();
        try
        {
            using var timeout = new CancellationTokenSource(expectRefusal ? RefusalLimit : ConnectLimit);
            await host.StartAsync(timeout.Token);
            return host;
        }
        catch
        {
            host.Dispose();
            throw;
        }
    }

    /// <summary>A plain Orleans silo with Grid:Tls and development clustering, to test silo-to-silo TLS (two in one process).</summary>
    private static async Task<IHost> StartBareSilo(int siloPort, IPEndPoint primary, TestCertificate certificate, TimeSpan? startLimit = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Test", Args = [] });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var tls = new GridTlsOptions();
        certificate.ApplyTo(tls);
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(siloPort, LoopbackPorts.Free(), primary, "tls-test", "tls-test");
            silo.Configure<EndpointOptions>(e => e.AdvertisedIPAddress = IPAddress.Loopback);
            silo.UseGridTls(tls);
        });
        var host = builder.Build();
        try
        {
            using var timeout = new CancellationTokenSource(startLimit ?? TimeSpan.FromSeconds(90));
            await host.StartAsync(timeout.Token);
            return host;
        }
        catch
        {
            host.Dispose();
            throw;
        }
    }

    private static async Task<SweepStatus> WaitForCompletion(IGrainFactory grains, string sweepId, TimeSpan limit)
    {
        var sweep = grains.GetGrain<ISweepGrain>(sweepId);
        var watch = Stopwatch.StartNew();
        SweepStatus status;
        do
        {
            await Task.Delay(100);
            status = await sweep.GetStatus();
        }
        while (status.State == SweepState.Running && watch.Elapsed < limit);
        return status;
    }

    /// <summary>A self-signed certificate for client and server authentication (ECDSA P-256: fast to make), as a .pfx.</summary>
    private TestCertificate Certificate(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN=alpt-{name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], critical: false));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(2));
        var path = Path.Combine(root, name + ".pfx");
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pkcs12, Password));
        return new TestCertificate(path, certificate.Thumbprint, []);
    }

    private sealed record TestCertificate(string Path, string Thumbprint, string[] Allowed)
    {
        public void ApplyTo(GridTlsOptions tls)
        {
            tls.CertificatePath = Path;
            tls.CertificatePassword = Password;
            tls.AllowedThumbprints = Allowed;
        }
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
