namespace Alpt.Grid.Silo.Configuration;

/// <summary>
/// Mutual TLS for the grid's Orleans traffic (silo to silo, client to gateway), bound from the
/// <c>Grid:Tls</c> section (environment: <c>ALPT_Grid__Tls__CertificatePath</c>, …). Silos and clients
/// read the same keys. Off unless <see cref="CertificatePath"/> is set. What a peer must present:
/// <see cref="Hosting.GridTls"/>.
/// </summary>
public sealed class GridTlsOptions
{
    /// <summary>
    /// This process's certificate with its private key, a PKCS#12 (.pfx) file. Unset: TLS is off. One
    /// certificate shared by the whole cluster (self-signed is fine) is the simplest setup.
    /// </summary>
    public string? CertificatePath { get; set; }

    /// <summary>The .pfx file's password. A secret: only from the environment or a secret store; never logged.</summary>
    public string? CertificatePassword { get; set; }

    /// <summary>
    /// Thumbprints (SHA-1, 40 hex digits, or SHA-256, 64; colons and spaces ignored) of peer certificates
    /// accepted besides this process's own certificate, which is always accepted.
    /// </summary>
    public string[] AllowedThumbprints { get; set; } = [];

    /// <summary>
    /// Also accept a peer certificate that chains to a root this machine trusts (a private CA installed in
    /// the system store). Off by default: with it, any certificate such a root issued for client
    /// authentication can join, publicly issued ones included if the machine trusts public roots.
    /// </summary>
    public bool TrustMachineStore { get; set; }

    /// <summary>Whether TLS is on (a certificate is configured).</summary>
    public bool Enabled => !string.IsNullOrWhiteSpace(CertificatePath);

    /// <summary>Describes the settings without the password.</summary>
    public override string ToString() => Enabled
        ? $"TLS with {CertificatePath}, {AllowedThumbprints.Length} allowed thumbprint(s){(TrustMachineStore ? ", machine store trusted" : "")}"
        : "TLS off";
}
