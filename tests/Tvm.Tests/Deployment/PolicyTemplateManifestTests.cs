using System.Text.RegularExpressions;
using Tvm.Infrastructure.Kubernetes;
using Tvm.Infrastructure.Templating;

namespace Tvm.Tests.Deployment;

/// <summary>The template users deploy, taken from the rendered ConfigMap and rendered by TVM's own renderer.</summary>
public sealed class PolicyTemplateManifestTests
{
    private const string CeilingPath = "docs/iam/tvm-workloads-permissions.json";

    public static TheoryData<string, string, string[]> Branches => new()
    {
        { "production", "billing", ["ProductionParameters", "ProductionObjects"] },
        { "api", "web", ["ApiObjects", "ApiListing", "ApiParameters"] },
        { "default", "default", ["NamespaceParameters"] },
        { "team-a", "worker", ["NamespaceParameters"] },
    };

    public static TheoryData<string, string> Identities => new()
    {
        { "production", "billing" },
        { "api", "web" },
        { "default", "default" },
        { "team-a", "worker" },
    };

    [Theory]
    [MemberData(nameof(Branches))]
    public async Task Each_namespace_gets_its_own_branch(string ns, string serviceAccount, string[] expectedSids)
    {
        var policy = IamPolicy.Parse(await RenderAsync(new WorkloadIdentity(ns, serviceAccount)));

        policy.Version.Should().Be("2012-10-17");
        policy.Statements.Select(s => s.Sid).Should().Equal(expectedSids);
        policy.Statements.Should().OnlyContain(s => s.Effect == "Allow");
    }

    [Theory]
    [MemberData(nameof(Identities))]
    public async Task Every_grant_is_confined_to_the_callers_namespace(string ns, string serviceAccount)
    {
        var policy = IamPolicy.Parse(await RenderAsync(new WorkloadIdentity(ns, serviceAccount)));

        var resources = policy.Statements.SelectMany(s => s.Resources.Select(r => (s.Sid, Resource: r, s.Condition))).ToList();
        resources.Should().NotBeEmpty();
        foreach (var (sid, resource, condition) in resources)
        {
            var path = ResourcePart(resource);
            if (path.Contains('/', StringComparison.Ordinal))
            {
                path.Should().Contain($"/{ns}/", $"statement {sid} should name only the caller's prefix");
            }
            else
            {
                condition.Should().Contain($"\"{ns}/", $"statement {sid} grants on a whole bucket, so a condition should confine it to the caller's prefix");
            }
        }
    }

    /// <summary>
    /// STS intersects the session policy with the role's permission policy without reporting what it cut away,
    /// so a template grant the role lacks would fail only at the workload, as AccessDenied.
    /// </summary>
    [Theory]
    [MemberData(nameof(Identities))]
    public async Task Every_grant_lies_within_the_role_permissions(string ns, string serviceAccount)
    {
        var ceiling = IamPolicy.Load(CeilingPath).Statements.Where(s => s.Effect == "Allow" && !s.UsesNegation).ToList();
        var account = IamDocumentTests.AccountId();
        var policy = IamPolicy.Parse(await RenderAsync(new WorkloadIdentity(ns, serviceAccount)));

        var uncovered = new List<string>();
        foreach (var statement in policy.Statements)
        {
            statement.UsesNegation.Should().BeFalse($"statement {statement.Sid}: NotAction/NotResource cannot be compared with the role's permissions");
            statement.Actions.Should().NotBeEmpty(statement.Sid);
            statement.Resources.Should().NotBeEmpty(statement.Sid);
            foreach (var action in statement.Actions)
            {
                foreach (var resource in statement.Resources)
                {
                    var concrete = InAccount(resource, account);
                    var covered = ceiling.Any(c =>
                        c.Actions.Any(a => Glob(a, action, ignoreCase: true)) && c.Resources.Any(r => Glob(r, concrete, ignoreCase: false)));
                    if (!covered)
                    {
                        uncovered.Add($"{statement.Sid}: {action} on {concrete}");
                    }
                }
            }
        }

        uncovered.Should().BeEmpty($"the role's permission policy ({CeilingPath}) should allow everything the template grants");
    }

    [Theory]
    [InlineData("production", 253)]
    [InlineData("api", 253)]
    [InlineData("a-namespace-name-of-the-longest-length-kubernetes-allows-xxxxxx", 253)]
    public async Task Longest_names_stay_within_the_STS_size_limit(string ns, int serviceAccountLength)
    {
        ns.Length.Should().BeLessThanOrEqualTo(63);
        var rendered = await RenderAsync(new WorkloadIdentity(ns, new string('s', serviceAccountLength)));

        rendered.Length.Should().BeLessThanOrEqualTo(PolicyTemplate.MaxPolicyLength);
        IamPolicy.Parse(rendered).Statements.Should().NotBeEmpty();
    }

    private static async Task<string> RenderAsync(WorkloadIdentity identity)
    {
        var rendered = await RenderedManifests.RenderAsync(RenderedManifests.Base);
        var configMap = rendered.GeneratedConfigMap(TvmManifest.PolicyConfigMap);
        configMap.Data.Should().ContainKey("policy.json");

        var template = PolicyTemplate.Parse(configMap.Data["policy.json"], "policy.json");
        return template.Render(identity).Json;
    }

    private static string ResourcePart(string arn) => arn.Split(':', 6) is { Length: 6 } parts ? parts[5] : arn;

    /// <summary>A wildcard region becomes a real one and a wildcard account the documented account.</summary>
    private static string InAccount(string arn, string account)
    {
        var parts = arn.Split(':', 6);
        if (parts.Length != 6)
        {
            return arn;
        }

        parts[3] = parts[3] == "*" ? "eu-west-1" : parts[3];
        parts[4] = parts[4] == "*" ? account : parts[4];
        return string.Join(':', parts);
    }

    /// <summary>
    /// IAM wildcard matching. A '*' left in <paramref name="value"/> is matched as a character, which is sound
    /// when the pattern's own '*' covers it: every expansion of the value then matches too.
    /// </summary>
    private static bool Glob(string pattern, string value, bool ignoreCase)
    {
        var regex = "^" + Regex.Escape(pattern).Replace(@"\*", ".*", StringComparison.Ordinal).Replace(@"\?", ".", StringComparison.Ordinal) + "$";
        return Regex.IsMatch(value, regex, (ignoreCase ? RegexOptions.IgnoreCase : RegexOptions.None) | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    }
}
