using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Tvm.Infrastructure.Hosting;

/// <summary>
/// The TLS certificate chain and key from TLS_CERT_PATH and TLS_KEY_PATH, re-read when the files change so that
/// renewals (cert-manager writing a Secret, the kubelet swapping its <c>..data</c> symlink) reach new connections
/// without a restart. Changes are found by polling the files' content: file-system events miss a symlink swap in
/// a parent folder. A pair that fails to load keeps the last good one serving and is logged as an error.
/// </summary>
public sealed partial class ServerCertificate : IDisposable
{
    public static readonly TimeSpan DefaultPollInterval = TimeSpan.FromSeconds(2);

    private readonly string _certificatePath;
    private readonly string _keyPath;
    private readonly ILogger<ServerCertificate> _logger;
    private readonly ITimer _poll;
    private byte[] _loadedHash;
    private SslStreamCertificateContext _current;

    /// <exception cref="ServerCertificateException">The pair cannot be read, parsed or does not match.</exception>
    public ServerCertificate(string certificatePath, string keyPath, TimeProvider clock, ILogger<ServerCertificate> logger, TimeSpan pollInterval)
    {
        _certificatePath = certificatePath;
        _keyPath = keyPath;
        _logger = logger;
        (_current, _loadedHash) = Load();
        _poll = clock.CreateTimer(_ => ReloadIfChanged(), null, pollInterval, pollInterval);
    }

    /// <summary>The chain new TLS handshakes present.</summary>
    public SslStreamCertificateContext Current => Volatile.Read(ref _current);

    /// <summary>The leaf certificate new handshakes present.</summary>
    public X509Certificate2 Leaf => Current.TargetCertificate;

    public void Dispose() => _poll.Dispose();

    private void ReloadIfChanged()
    {
        try
        {
            if (ContentHash().AsSpan().SequenceEqual(_loadedHash))
            {
                return;
            }

            var (context, hash) = Load();
            Volatile.Write(ref _current, context);
            _loadedHash = hash;
            var leaf = context.TargetCertificate;
            CertificateReloaded(leaf.Subject, leaf.NotAfter);
        }
        catch (Exception e) when (e is ServerCertificateException or IOException or UnauthorizedAccessException)
        {
            // Half-written files during a rotation end up here too; the next poll sees the finished pair.
            ReloadFailed(e.Message);
        }
    }

    private (SslStreamCertificateContext Context, byte[] Hash) Load()
    {
        byte[] hash;
        X509Certificate2Collection chain;
        try
        {
            hash = ContentHash();
            chain = [];
            chain.ImportFromPemFile(_certificatePath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            throw new ServerCertificateException($"cannot read the certificate chain '{_certificatePath}' or its key '{_keyPath}': {e.Message}");
        }

        if (chain.Count == 0)
        {
            throw new ServerCertificateException($"'{_certificatePath}' holds no PEM certificate.");
        }

        X509Certificate2 leaf;
        try
        {
            leaf = X509Certificate2.CreateFromPemFile(_certificatePath, _keyPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            throw new ServerCertificateException($"the key '{_keyPath}' does not load with the first certificate of '{_certificatePath}' (a mismatched or unreadable pair): {e.Message}");
        }

        // The leaf's key lives in memory only; exporting to PKCS#12 once makes it usable by SslStream on every platform.
        var usable = X509CertificateLoader.LoadPkcs12(leaf.Export(X509ContentType.Pkcs12), null);
        leaf.Dispose();
        var intermediates = new X509Certificate2Collection();
        for (var i = 1; i < chain.Count; i++)
        {
            intermediates.Add(chain[i]);
        }

        return (SslStreamCertificateContext.Create(usable, intermediates, offline: true), hash);
    }

    private byte[] ContentHash()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(File.ReadAllBytes(_certificatePath));
        hash.AppendData(File.ReadAllBytes(_keyPath));
        return hash.GetHashAndReset();
    }

    [LoggerMessage(EventId = 30, Level = LogLevel.Information, Message = "TLS certificate reloaded: {Subject}, valid until {NotAfter:O}")]
    private partial void CertificateReloaded(string subject, DateTime notAfter);

    [LoggerMessage(EventId = 31, Level = LogLevel.Error, Message = "TLS certificate rotation failed; the last good certificate keeps serving: {Reason}")]
    private partial void ReloadFailed(string reason);
}

public sealed class ServerCertificateException(string message) : Exception(message);
