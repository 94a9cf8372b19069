using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Tvm.Infrastructure.Hosting;

/// <summary>
/// The TLS certificate chain and key from TLS_CERT_PATH and TLS_KEY_PATH, re-read when the files change so that
/// renewals (cert-manager writing a Secret, the kubelet swapping its <c>..data</c> symlink) reach new connections
/// without a restart. A pair that fails to load keeps the last good one serving and is logged as an error.
/// </summary>
public sealed partial class ServerCertificate : IDisposable
{

    private readonly string _certificatePath;
    private readonly string _keyPath;
    private readonly ILogger<ServerCertificate> _logger;
    private readonly FileContentWatcher _watcher;
    private SslStreamCertificateContext _current;

    /// <exception cref="ServerCertificateException">The pair cannot be read, parsed or does not match.</exception>
    public ServerCertificate(string certificatePath, string keyPath, TimeProvider clock, ILogger<ServerCertificate> logger, TimeSpan pollInterval)
    {
        _certificatePath = certificatePath;
        _keyPath = keyPath;
        _logger = logger;
        _current = Load();
        _watcher = new FileContentWatcher([certificatePath, keyPath], clock, pollInterval, Reload, e => ReloadFailed(e.Message));
    }

    /// <summary>The chain new TLS handshakes present.</summary>
    public SslStreamCertificateContext Current => Volatile.Read(ref _current);

    /// <summary>The leaf certificate new handshakes present.</summary>
    public X509Certificate2 Leaf => Current.TargetCertificate;

    public void Dispose() => _watcher.Dispose();

    private void Reload()
    {
        try
        {
            var context = Load();
            Volatile.Write(ref _current, context);
            var leaf = context.TargetCertificate;
            CertificateReloaded(leaf.Subject, leaf.NotAfter);
        }
        catch (Exception e) when (e is ServerCertificateException or IOException or UnauthorizedAccessException)
        {
            // Half-written files during a rotation end up here too; the next poll sees the finished pair.
            ReloadFailed(e.Message);
        }
    }

    private SslStreamCertificateContext Load()
    {
        X509Certificate2Collection chain;
        try
        {
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

        return SslStreamCertificateContext.Create(usable, intermediates, offline: true);
    }

    [LoggerMessage(EventId = 30, Level = LogLevel.Information, Message = "TLS certificate reloaded: {Subject}, valid until {NotAfter:O}")]
    private partial void CertificateReloaded(string subject, DateTime notAfter);

    [LoggerMessage(EventId = 31, Level = LogLevel.Error, Message = "TLS certificate rotation failed; the last good certificate keeps serving: {Reason}")]
    private partial void ReloadFailed(string reason);
}

public sealed class ServerCertificateException(string message) : Exception(message);
