using System.Globalization;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Alpt.Grid.Silo.Configuration;
using Orleans.Connections.Security;

namespace Alpt.Grid.Silo.Hosting;

/// <summary>
/// Mutual TLS from <see cref="GridTlsOptions"/>. Silos require a certificate from every silo and client
/// that connects, and present theirs; clients present theirs and require the gateway's. A peer's
/// certificate is accepted when its thumbprint is this process's own certificate's or one of
/// <see cref="GridTlsOptions.AllowedThumbprints"/> (whatever its chain or host name: silos connect to each
/// other by IP address, and a self-signed cluster certificate has no chain), provided it is within its
/// validity dates; or, with <see cref="GridTlsOptions.TrustMachineStore"/>, when it chains cleanly to a
/// root this machine trusts (names are not compared). Anything else fails the handshake.
/// </summary>
public static class GridTls
{
    private const string ServerAuthentication = "1.3.6.1.5.5.7.3.1";
    private const string ClientAuthentication = "1.3.6.1.5.5.7.3.2";

    /// <summary>Turns on mutual TLS for a silo (silo-to-silo and gateway connections); nothing when TLS is off.</summary>
    public static ISiloBuilder UseGridTls(this ISiloBuilder silo, GridTlsOptions tls)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(tls);
        if (!tls.Enabled)
        {
            return silo;
        }

        var certificate = LoadOrThrow(tls, forSilo: true);
        return silo.UseTls(certificate, o => Configure(o, certificate, tls));
    }

    /// <summary>Turns on mutual TLS for a client's gateway connections; nothing when TLS is off.</summary>
    public static IClientBuilder UseGridTls(this IClientBuilder client, GridTlsOptions tls)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(tls);
        if (!tls.Enabled)
        {
            return client;
        }

        var certificate = LoadOrThrow(tls, forSilo: false);
        return client.UseTls(certificate, o => Configure(o, certificate, tls));
    }

    /// <summary>What is wrong with the TLS settings, naming each setting and never the password; empty when usable or off.</summary>
    public static IReadOnlyList<string> Problems(GridTlsOptions tls, bool forSilo)
    {
        ArgumentNullException.ThrowIfNull(tls);
        var problems = new List<string>();
        using var certificate = Load(tls, forSilo, problems);
        return problems;
    }

    /// <summary>
    /// Whether a peer's certificate is accepted: pinned (own or allowed thumbprint) and within its dates,
    /// or, when the machine store is trusted, a clean chain (a host-name mismatch alone is ignored).
    /// </summary>
    public static Func<X509Certificate2, SslPolicyErrors, bool> PeerValidator(X509Certificate2 own, GridTlsOptions tls, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(own);
        ArgumentNullException.ThrowIfNull(tls);
        var clock = time ?? TimeProvider.System;
        var pinned = new HashSet<string>(tls.AllowedThumbprints.SelectMany(SplitThumbprints).Select(Normalize), StringComparer.Ordinal)
        {
            own.Thumbprint,
            own.GetCertHashString(HashAlgorithmName.SHA256),
        };
        var trustMachineStore = tls.TrustMachineStore;
        return (peer, errors) =>
        {
            if (pinned.Contains(peer.Thumbprint) || pinned.Contains(peer.GetCertHashString(HashAlgorithmName.SHA256)))
            {
                var now = clock.GetUtcNow().UtcDateTime;
                return peer.NotBefore.ToUniversalTime() <= now && now <= peer.NotAfter.ToUniversalTime();
            }

            return trustMachineStore && (errors & ~SslPolicyErrors.RemoteCertificateNameMismatch) == SslPolicyErrors.None;
        };
    }

    private static void Configure(TlsOptions o, X509Certificate2 certificate, GridTlsOptions tls)
    {
        var accept = PeerValidator(certificate, tls);
        o.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate; // the other side must present one
        o.ClientCertificateMode = RemoteCertificateMode.RequireCertificate; // and we present ours when connecting
        o.RemoteCertificateValidation = (peer, _, errors) => accept(peer, errors);
    }

    private static X509Certificate2 LoadOrThrow(GridTlsOptions tls, bool forSilo)
    {
        var problems = new List<string>();
        var certificate = Load(tls, forSilo, problems);
        if (certificate is null || problems.Count > 0)
        {
            certificate?.Dispose();
            throw new InvalidOperationException("grid configuration is invalid: " + string.Join("; ", problems));
        }

        return certificate;
    }

    /// <summary>Loads the configured certificate, adding a problem for each thing wrong; null when TLS is off or it cannot be used.</summary>
    private static X509Certificate2? Load(GridTlsOptions tls, bool forSilo, List<string> problems)
    {
        foreach (var entry in tls.AllowedThumbprints.SelectMany(SplitThumbprints))
        {
            if (Normalize(entry) is not { Length: 40 or 64 } hex || !hex.All(char.IsAsciiHexDigit))
            {
                problems.Add($"Grid:Tls:AllowedThumbprints: '{entry}' is not a certificate thumbprint (SHA-1: 40 hex digits, or SHA-256: 64)");
            }
        }

        if (!tls.Enabled)
        {
            if (tls.AllowedThumbprints.Length > 0 || tls.TrustMachineStore || !string.IsNullOrEmpty(tls.CertificatePassword))
            {
                problems.Add("Grid:Tls:AllowedThumbprints, Grid:Tls:TrustMachineStore or Grid:Tls:CertificatePassword is set but Grid:Tls:CertificatePath is not: TLS would be off; set the certificate (or remove these settings)");
            }

            return null;
        }

        var path = tls.CertificatePath!;
        if (!File.Exists(path))
        {
            problems.Add($"Grid:Tls:CertificatePath '{path}' does not exist (a PKCS#12 .pfx file with the certificate and its private key)");
            return null;
        }

        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadPkcs12FromFile(path, string.IsNullOrEmpty(tls.CertificatePassword) ? null : tls.CertificatePassword);
        }
        catch (CryptographicException e)
        {
            problems.Add($"Grid:Tls:CertificatePath '{path}' could not be opened as a PKCS#12 (.pfx) file with the configured Grid:Tls:CertificatePassword (wrong or missing password, or not a .pfx file): {Scrub(e.Message, tls.CertificatePassword)}");
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problems.Add($"Grid:Tls:CertificatePath '{path}' cannot be read: {Scrub(e.Message, tls.CertificatePassword)}");
            return null;
        }

        var before = problems.Count;
        var described = $"Grid:Tls:CertificatePath '{path}' (certificate {certificate.Subject}, thumbprint {certificate.Thumbprint})";
        if (!certificate.HasPrivateKey)
        {
            problems.Add($"{described} has no private key: export the .pfx with its key (openssl pkcs12 -export -inkey key.pem -in cert.pem -out grid.pfx)");
        }

        var now = DateTime.UtcNow;
        if (now < certificate.NotBefore.ToUniversalTime() || now > certificate.NotAfter.ToUniversalTime())
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"{described} is valid only from {certificate.NotBefore.ToUniversalTime():u} to {certificate.NotAfter.ToUniversalTime():u}"));
        }

        var usages = certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().SelectMany(u => u.EnhancedKeyUsages.Cast<Oid>()).Select(o => o.Value).ToList();
        var hasUsages = certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().Any();
        if (hasUsages && (!usages.Contains(ClientAuthentication) || (forSilo && !usages.Contains(ServerAuthentication))))
        {
            problems.Add($"{described}: its extended key usage must allow client authentication{(forSilo ? " and server authentication (a silo both accepts and makes connections)" : "")}, or the certificate must have no extended key usage");
        }

        if (problems.Count > before)
        {
            certificate.Dispose();
            return null;
        }

        return certificate;
    }

    private static IEnumerable<string> SplitThumbprints(string value) =>
        value.Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static string Normalize(string thumbprint) =>
        new string([.. thumbprint.Where(c => c is not (':' or ' ' or '-'))]).ToUpperInvariant();

    private static string Scrub(string message, string? secret) =>
        string.IsNullOrEmpty(secret) ? message : message.Replace(secret, "***", StringComparison.Ordinal);
}
