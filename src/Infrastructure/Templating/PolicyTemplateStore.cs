using Tvm.Infrastructure.Kubernetes;

namespace Tvm.Infrastructure.Templating;

/// <summary>
/// The policy template in force, re-read when POLICY_TEMPLATE_PATH changes (the kubelet's ConfigMap symlink swap
/// included). A template that does not parse is refused: the last good one keeps serving and the store reports
/// itself degraded until a good one arrives. The first load happens at start-up, where a failure stops TVM.
/// </summary>
public sealed partial class PolicyTemplateStore : IPolicyRenderer, IDisposable
{
    private readonly string _path;
    private readonly ILogger<PolicyTemplateStore> _logger;
    private readonly FileContentWatcher _watcher;
    private PolicyTemplate _current;
    private string? _refusal;

    /// <exception cref="PolicyTemplateException">The template cannot be read or does not parse.</exception>
    public PolicyTemplateStore(IOptions<TvmOptions> options, TimeProvider clock, ILogger<PolicyTemplateStore> logger)
        : this(options.Value.PolicyTemplatePath, clock, logger, FileContentWatcher.DefaultInterval)
    {
    }

    public PolicyTemplateStore(string path, TimeProvider clock, ILogger<PolicyTemplateStore> logger, TimeSpan pollInterval)
    {
        _path = path;
        _logger = logger;
        _current = PolicyTemplate.Load(path);
        _watcher = new FileContentWatcher([path], clock, pollInterval, Reload, e => Refuse(e.Message));
    }

    /// <summary>The template new renders use.</summary>
    public PolicyTemplate Current => Volatile.Read(ref _current);

    /// <summary>Why the newest version of the file was refused, while the last good template serves; null when it is in force.</summary>
    public string? Refusal => Volatile.Read(ref _refusal);

    public SessionPolicy Render(WorkloadIdentity identity) => Current.Render(identity);

    public void Dispose() => _watcher.Dispose();

    private void Reload()
    {
        try
        {
            var template = PolicyTemplate.Load(_path);
            Volatile.Write(ref _current, template);
            Volatile.Write(ref _refusal, null);
            Reloaded(_path);
        }
        catch (PolicyTemplateException e)
        {
            Refuse(e.Message);
        }
    }

    private void Refuse(string reason)
    {
        Volatile.Write(ref _refusal, reason);
        ReloadRefused(reason);
    }

    [LoggerMessage(EventId = 60, Level = LogLevel.Information, Message = "Policy template reloaded from {Path}; new requests render with it")]
    private partial void Reloaded(string path);

    [LoggerMessage(EventId = 61, Level = LogLevel.Error, Message = "Policy template change refused, the last good template keeps serving: {Reason}")]
    private partial void ReloadRefused(string reason);
}
