using Tvm.Infrastructure.Kubernetes;
using Tvm.Infrastructure.Templating;
using Tvm.Tests.Deployment;

namespace Tvm.Tests.Infrastructure.Templating;

/// <summary>
/// Every corpus template, rendered for every corpus identity, against what real Jinja2 rendered (the goldens that
/// Corpus/render_goldens.py writes): the same text byte for byte, the same minified policy, the same refusals.
/// </summary>
public sealed class CorpusTests
{
    private const string Corpus = "tests/Tvm.Tests/Infrastructure/Templating/Corpus";

    public static TheoryData<string, string> Cases()
    {
        var cases = new TheoryData<string, string>();
        foreach (var template in Templates())
        {
            foreach (var identity in Identities().Keys)
            {
                cases.Add(template, identity);
            }
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Renders_what_jinja2_renders(string template, string identityName)
    {
        var source = File.ReadAllText(RepositoryPaths.Of($"{Corpus}/templates/{template}.j2"));
        var golden = Golden(template).GetProperty(identityName);
        var identity = Identities()[identityName];
        var policy = PolicyTemplate.Parse(source, $"{template}.j2");

        if (golden.TryGetProperty("error", out var error))
        {
            var render = () => policy.RenderText(identity);
            render.Should().Throw<PolicyRenderException>($"Jinja2 raised {error.GetString()}");
            return;
        }

        policy.RenderText(identity).Should().Be(golden.GetProperty("rendered").GetString());
        if (golden.TryGetProperty("refused", out var refused))
        {
            var render = () => policy.Render(identity);
            render.Should().Throw<PolicyRenderException>($"the golden is refused: {refused.GetString()}");
        }
        else
        {
            policy.Render(identity).Json.Should().Be(golden.GetProperty("minified").GetString());
        }
    }

    [Fact]
    public void Corpus_is_large_enough_and_every_template_has_a_golden()
    {
        Templates().Should().HaveCountGreaterThanOrEqualTo(40);
        Identities().Should().HaveCountGreaterThanOrEqualTo(3);
        foreach (var template in Templates())
        {
            File.Exists(RepositoryPaths.Of($"{Corpus}/goldens/{template}.json")).Should().BeTrue($"{template} needs a golden; run render_goldens.py");
            Golden(template).EnumerateObject().Select(p => p.Name).Should().BeEquivalentTo(Identities().Keys);
        }
    }

    private static List<string> Templates() =>
        [.. Directory.GetFiles(RepositoryPaths.Of($"{Corpus}/templates"), "*.j2").Select(f => Path.GetFileNameWithoutExtension(f)).Order(StringComparer.Ordinal)];

    private static JsonElement Golden(string template) =>
        JsonDocument.Parse(File.ReadAllText(RepositoryPaths.Of($"{Corpus}/goldens/{template}.json"))).RootElement;

    /// <summary>The fields an identity does not list are unknown, which TVM represents as empty.</summary>
    private static Dictionary<string, WorkloadIdentity> Identities()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(RepositoryPaths.Of($"{Corpus}/identities.json")));
        return document.RootElement.EnumerateObject().ToDictionary(p => p.Name, p =>
        {
            string Field(string name) => p.Value.TryGetProperty(name, out var value) ? value.GetString()! : "";
            return new WorkloadIdentity(Field("namespace"), Field("serviceaccount"), Field("serviceaccount_uid"), Field("pod_name"), Field("pod_uid"), Field("node_name"));
        });
    }
}
