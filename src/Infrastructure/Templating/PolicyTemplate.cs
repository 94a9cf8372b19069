using System.Buffers;
using Scriban;
using Scriban.Runtime;
using Scriban.Syntax;
using Tvm.Infrastructure.Kubernetes;

namespace Tvm.Infrastructure.Templating;

/// <summary>
/// The session-policy template, parsed once. Rendering runs in a locked-down Liquid context whose limits
/// raise errors instead of truncating, and the result must be a JSON object of at most 2048 characters,
/// which is all STS accepts for an inline session policy.
/// </summary>
public sealed class PolicyTemplate : IPolicyRenderer
{
    public const int MaxPolicyLength = 2048;
    private const int OutputLimit = 64 * 1024;

    private readonly Template _template;

    private PolicyTemplate(Template template, string sourceName)
    {
        _template = template;
        SourceName = sourceName;
        Variables = VariablesIn(template.Page);
    }

    public string SourceName { get; }

    /// <summary>Every name the template reads: the identity fields it does not read cannot change its output.</summary>
    public IReadOnlySet<string> Variables { get; }

    /// <summary>
    /// The identity with the fields this template never reads left empty: identities that render alike
    /// (every pod of a deployment, when the template does not mention pods) then share one cache entry.
    /// </summary>
    public WorkloadIdentity RelevantPartOf(WorkloadIdentity identity) => identity with
    {
        ServiceAccountUid = Variables.Contains("serviceaccount_uid") ? identity.ServiceAccountUid : "",
        PodName = Variables.Contains("pod_name") ? identity.PodName : "",
        PodUid = Variables.Contains("pod_uid") ? identity.PodUid : "",
        NodeName = Variables.Contains("node_name") ? identity.NodeName : "",
    };

    /// <exception cref="PolicyTemplateException">The file cannot be read or does not parse.</exception>
    public static PolicyTemplate Load(string path)
    {
        string source;
        try
        {
            source = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PolicyTemplateException($"cannot read the policy template '{path}': {e.Message}");
        }

        return Parse(source, path);
    }

    /// <exception cref="PolicyTemplateException">The template does not parse; the message names source, line and column.</exception>
    public static PolicyTemplate Parse(string source, string sourceName)
    {
        var template = Template.ParseLiquid(JinjaSyntax.ToLiquid(source), sourceName);
        if (template.HasErrors)
        {
            var errors = string.Join("; ", template.Messages.Where(m => m.Type == Scriban.Parsing.ParserMessageType.Error));
            throw new PolicyTemplateException($"the policy template does not parse: {errors}");
        }

        return new PolicyTemplate(template, sourceName);
    }

    /// <summary>Renders the policy for one identity and returns it minified.</summary>
    /// <exception cref="PolicyRenderException">The template failed to render, rendered invalid JSON or too much of it.</exception>
    public SessionPolicy Render(WorkloadIdentity identity) => new(Minify(RenderText(identity)));

    private string RenderText(WorkloadIdentity identity)
    {
        var variables = new ScriptObject
        {
            ["namespace"] = identity.Namespace,
            ["serviceaccount"] = identity.ServiceAccount,
            ["serviceaccount_uid"] = NilWhenEmpty(identity.ServiceAccountUid),
            ["pod_name"] = NilWhenEmpty(identity.PodName),
            ["pod_uid"] = NilWhenEmpty(identity.PodUid),
            ["node_name"] = NilWhenEmpty(identity.NodeName),
        };
        var context = new LiquidTemplateContext
        {
            LoopLimit = 1000,
            RecursiveLimit = 64,
            OutputLimit = OutputLimit,
            RegexTimeOut = TimeSpan.FromMilliseconds(200),
            TemplateLoader = null,
            StrictVariables = false,
        };
        context.PushGlobal(SafeTemplateFunctions.Instance);
        context.PushGlobal(variables);
        try
        {
            return _template.Render(context);
        }
        catch (ScriptRuntimeException e)
        {
            throw new PolicyRenderException($"The policy template failed to render: {e.OriginalMessage} at {e.Span.ToStringSimple()}.");
        }
    }

    private static HashSet<string> VariablesIn(ScriptNode? root)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<ScriptNode>();
        if (root is not null)
        {
            pending.Push(root);
        }

        while (pending.TryPop(out var node))
        {
            if (node is ScriptVariable variable)
            {
                names.Add(variable.Name);
            }

            for (var i = 0; i < node.ChildrenCount; i++)
            {
                if (node.GetChildren(i) is { } child)
                {
                    pending.Push(child);
                }
            }
        }

        return names;
    }

    /// <summary>
    /// Unknown values are nil rather than "": they still render as nothing, but are falsy in <c>{% if pod_name %}</c>
    /// and take <c>default</c>, as in Jinja2 (Liquid treats an empty string as true).
    /// </summary>
    private static string? NilWhenEmpty(string value) => value.Length == 0 ? null : value;

    private static string Minify(string rendered)
    {
        var buffer = new ArrayBufferWriter<byte>(rendered.Length);
        try
        {
            using var document = JsonDocument.Parse(rendered);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new PolicyRenderException(
                    $"The policy template rendered a JSON {document.RootElement.ValueKind.ToString().ToLowerInvariant()}, not the JSON object an IAM policy is.");
            }

            using var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
            document.WriteTo(writer);
        }
        catch (JsonException e)
        {
            throw new PolicyRenderException(
                $"The policy template rendered invalid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}).");
        }

        var policy = System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
        if (policy.Length > MaxPolicyLength)
        {
            throw new PolicyRenderException(
                $"The rendered policy is {policy.Length} characters after minifying; STS accepts at most {MaxPolicyLength}.");
        }

        return policy;
    }
}

public sealed class PolicyTemplateException(string message) : Exception(message);

/// <summary>A template failed to render for one identity; the message is safe to show the caller.</summary>
public sealed class PolicyRenderException(string message) : Exception(message);
