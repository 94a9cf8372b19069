using System.Buffers;
using Tvm.Infrastructure.Kubernetes;
using Tvm.Infrastructure.Templating.Jinja;

namespace Tvm.Infrastructure.Templating;

/// <summary>
/// The session-policy template: Jinja2, parsed once and refused at start-up if it uses anything TVM does not render
/// exactly as Jinja2 would. Rendering has limits that raise errors instead of truncating, and the result must be a
/// JSON object of at most 2048 characters, which is all STS accepts for an inline session policy.
/// </summary>
public sealed class PolicyTemplate
{
    public const int MaxPolicyLength = 2048;

    private readonly ParsedTemplate _template;

    private PolicyTemplate(ParsedTemplate template, string sourceName)
    {
        _template = template;
        SourceName = sourceName;
        Variables = template.Names;
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
        try
        {
            return new PolicyTemplate(Parser.Parse(source), sourceName);
        }
        catch (JinjaSyntaxException e)
        {
            throw new PolicyTemplateException($"the policy template does not parse: {sourceName}{e.Position}: {e.Message}");
        }
    }

    /// <summary>Renders the policy for one identity and returns it minified.</summary>
    /// <exception cref="PolicyRenderException">The template failed to render, rendered invalid JSON or too much of it.</exception>
    public SessionPolicy Render(WorkloadIdentity identity) => new(Minify(RenderText(identity)));

    /// <summary>The text exactly as rendered, before it is checked and minified.</summary>
    /// <exception cref="PolicyRenderException">The template failed to render.</exception>
    internal string RenderText(WorkloadIdentity identity)
    {
        try
        {
            return Renderer.Render(_template, VariablesFor(identity));
        }
        catch (JinjaRuntimeException e)
        {
            var where = e.Position is { } position ? $" (line {position.Line}, column {position.Column})" : "";
            throw new PolicyRenderException($"The policy template failed to render: {e.Message}{where}.");
        }
    }

    /// <summary>Unknown fields are not passed at all: to Jinja2 they are undefined, so they print nothing, are false and take <c>default</c>.</summary>
    private static Dictionary<string, object?> VariablesFor(WorkloadIdentity identity)
    {
        var variables = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["namespace"] = identity.Namespace,
            ["serviceaccount"] = identity.ServiceAccount,
        };
        AddKnown(variables, "serviceaccount_uid", identity.ServiceAccountUid);
        AddKnown(variables, "pod_name", identity.PodName);
        AddKnown(variables, "pod_uid", identity.PodUid);
        AddKnown(variables, "node_name", identity.NodeName);
        return variables;
    }

    private static void AddKnown(Dictionary<string, object?> variables, string name, string value)
    {
        if (value.Length > 0)
        {
            variables[name] = value;
        }
    }

    private static string Minify(string rendered)
    {
        var buffer = new ArrayBufferWriter<byte>(Math.Max(1, rendered.Length));
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
