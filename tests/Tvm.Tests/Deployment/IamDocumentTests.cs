using System.Text.RegularExpressions;
using Tvm.Infrastructure.Configuration;

namespace Tvm.Tests.Deployment;

/// <summary>The IAM documents, the setup guide and the example installation describe one and the same account, user and role.</summary>
public sealed partial class IamDocumentTests
{
    private const string UserPolicyPath = "docs/iam/tvm-user-policy.json";
    private const string TrustPolicyPath = "docs/iam/tvm-workloads-trust-policy.json";
    private const string PermissionsPath = "docs/iam/tvm-workloads-permissions.json";
    private const string AbacExamplePath = "docs/iam/tvm-workloads-abac-example.json";
    private const string GuidePath = "docs/aws-iam.md";

    public static TheoryData<string> Documents => new() { UserPolicyPath, TrustPolicyPath, PermissionsPath, AbacExamplePath };

    /// <summary>The one placeholder account every document uses, read from the user's policy.</summary>
    internal static string AccountId()
    {
        var roleArn = IamPolicy.Load(UserPolicyPath).Statements.Single().Resources.Single();
        var match = RoleArn().Match(roleArn);
        match.Success.Should().BeTrue($"'{roleArn}' should be an IAM role ARN");
        return match.Groups["account"].Value;
    }

    [Theory]
    [MemberData(nameof(Documents))]
    public void Each_document_is_a_policy_IAM_accepts(string path)
    {
        var policy = IamPolicy.Load(path);

        policy.Version.Should().Be("2012-10-17");
        policy.Statements.Should().NotBeEmpty();
        policy.Statements.Should().OnlyContain(s => s.Effect == "Allow" || s.Effect == "Deny");
        policy.Statements.Should().OnlyContain(s => s.Actions.Count > 0);
        policy.Statements.Select(s => s.Sid).Where(sid => sid.Length > 0).Should().OnlyHaveUniqueItems();
    }

    [Fact]
    public void Every_document_names_the_same_account()
    {
        var files = new[] { UserPolicyPath, TrustPolicyPath, PermissionsPath, AbacExamplePath, GuidePath, "docs/deploy.md", "manifests/overlays/example/kustomization.yaml", "manifests/base/serviceaccount.yaml" };
        var accounts = files
            .SelectMany(file => AccountNumber().Matches(RepositoryPaths.ReadAllText(file)).Select(m => (file, account: m.Value)))
            .ToList();

        accounts.Should().NotBeEmpty();
        accounts.Select(a => a.account).Distinct().Should().ContainSingle(
            $"one placeholder account throughout, found: {string.Join(", ", accounts.Select(a => $"{a.account} in {a.file}").Distinct())}");
    }

    [Fact]
    public void The_user_may_only_assume_and_tag_the_workload_role()
    {
        var statement = IamPolicy.Load(UserPolicyPath).Statements.Should().ContainSingle().Subject;

        statement.Effect.Should().Be("Allow");
        statement.UsesNegation.Should().BeFalse();
        statement.Actions.Should().Equal(["sts:AssumeRole", "sts:TagSession"], "SESSION_TAGS needs sts:TagSession on the role");
        statement.Resources.Should().Equal(WorkloadRoleArn());
    }

    [Fact]
    public void The_workload_role_trusts_only_the_user_to_assume_it_and_tag_its_sessions()
    {
        var statements = IamPolicy.Load(TrustPolicyPath).Statements;

        statements.Should().AllSatisfy(statement =>
        {
            statement.Effect.Should().Be("Allow");
            statement.UsesNegation.Should().BeFalse();
            statement.Principals.Should().ContainSingle().Which.Key.Should().Be("AWS");
            statement.Principals["AWS"].Should().Equal(UserArn());
        });
        statements.SelectMany(statement => statement.Actions).Should().BeEquivalentTo("sts:AssumeRole", "sts:TagSession");
        statements.Single(statement => statement.Actions.Contains("sts:AssumeRole")).Condition.Should().BeEmpty();
    }

    [Fact]
    public void The_trust_policy_admits_exactly_the_session_tags_tvm_can_send()
    {
        var tagging = IamPolicy.Load(TrustPolicyPath).Statements.Should().ContainSingle(statement => statement.Actions.Contains("sts:TagSession")).Subject;

        tagging.Actions.Should().Equal("sts:TagSession");
        using var condition = JsonDocument.Parse(tagging.Condition);
        var keys = condition.RootElement.GetProperty("ForAllValues:StringEquals").GetProperty("aws:TagKeys")
            .EnumerateArray().Select(key => key.GetString()).ToList();
        keys.Should().Equal(Tvm.Infrastructure.Sts.SessionTags.Names);
    }

    [Fact]
    public void The_abac_example_scopes_resources_by_session_tags_tvm_sends()
    {
        var statements = IamPolicy.Load(AbacExamplePath).Statements;
        var text = RepositoryPaths.ReadAllText(AbacExamplePath);

        statements.Should().Contain(statement => statement.Resources.Any(resource => resource.Contains("${aws:PrincipalTag/kubernetes-namespace}", StringComparison.Ordinal)));
        PrincipalTag().Matches(text).Select(match => match.Groups["key"].Value).Should().NotBeEmpty()
            .And.OnlyContain(key => Tvm.Infrastructure.Sts.SessionTags.IsKnown(key), "a tag TVM never sends would match nothing");
        statements.Should().OnlyContain(statement => statement.Effect == "Allow" && !statement.UsesNegation);
    }

    [Fact]
    public async Task The_example_installation_assumes_the_documented_role()
    {
        var rendered = await RenderedManifests.RenderAsync(RenderedManifests.ExampleOverlay);

        rendered.EnvironmentValue(EnvironmentNames.RoleArn).Should().Be(WorkloadRoleArn());
    }

    [Fact]
    public void The_guide_creates_the_user_and_role_the_documents_name()
    {
        var guide = RepositoryPaths.ReadAllText(GuidePath);
        var role = RoleArn().Match(WorkloadRoleArn()).Groups["name"].Value;
        var user = UserArnPattern().Match(UserArn()).Groups["name"].Value;

        guide.Should().Contain($"--role-name {role}");
        guide.Should().Contain($"--user-name {user}");
        foreach (var document in new[] { UserPolicyPath, TrustPolicyPath, PermissionsPath })
        {
            guide.Should().Contain($"$work/{Path.GetFileName(document)}", $"the guide should create IAM objects from {document}");
        }

        guide.Should().Contain("--max-session-duration 43200");
        guide.Should().Contain($"secret generic {TvmManifest.AwsSecret}");
    }

    private static string WorkloadRoleArn() => $"arn:aws:iam::{AccountId()}:role/tvm-workloads";

    private static string UserArn() => $"arn:aws:iam::{AccountId()}:user/tvm";

    [GeneratedRegex(@"\$\{aws:PrincipalTag/(?<key>[^}]+)\}")]
    private static partial Regex PrincipalTag();

    [GeneratedRegex(@"(?<![0-9])[0-9]{12}(?![0-9])")]
    private static partial Regex AccountNumber();

    [GeneratedRegex(@"^arn:aws:iam::(?<account>[0-9]{12}):role/(?<name>[\w+=,.@-]+)$")]
    private static partial Regex RoleArn();

    [GeneratedRegex(@"^arn:aws:iam::(?<account>[0-9]{12}):user/(?<name>[\w+=,.@-]+)$")]
    private static partial Regex UserArnPattern();
}
