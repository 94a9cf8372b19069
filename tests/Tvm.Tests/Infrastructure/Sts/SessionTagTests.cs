using Tvm.Emulators.Hosting;
using Tvm.Emulators.Kubernetes;
using Tvm.Emulators.Sts;
using Tvm.Infrastructure.Kubernetes;
using Tvm.Infrastructure.Sts;

namespace Tvm.Tests.Infrastructure.Sts;

/// <summary>SESSION_TAGS end to end: what the real AWS SDK sends and the STS emulator receives, and what the cache makes of it.</summary>
public sealed class SessionTagTests(Upstreams upstreams)
{
    private const string AllTags = "kubernetes-pod-uid, kubernetes-namespace,kubernetes-service-account ,kubernetes-pod-name";

    private KubernetesApiEmulator Kubernetes => upstreams.Kubernetes;
    private StsEmulator Sts => upstreams.Sts;

    private TvmApp App(string? sessionTags) => new(upstreams, new Dictionary<string, string?> { ["SESSION_TAGS"] = sessionTags });

    private static string Tag(string key, string value) => $"{key}={value}";

    private static IEnumerable<string> Tags(IReadOnlyList<KeyValuePair<string, string>> tags) => tags.Select(tag => Tag(tag.Key, tag.Value));

    [Fact]
    public async Task The_chosen_tags_reach_sts_with_the_identitys_values_in_a_fixed_order()
    {
        await using var app = App(AllTags);

        using var response = await app.VendAsync(Kubernetes.MintProjectedToken("api", "web", podName: "web-1"));

        await response.ShouldBeCredentialsAsync();
        var call = Sts.Calls.Should().ContainSingle().Subject;
        call.ErrorCode.Should().BeNull();
        Tags(call.Tags).Should().Equal(
            Tag("kubernetes-namespace", "api"),
            Tag("kubernetes-service-account", "web"),
            Tag("kubernetes-pod-name", "web-1"),
            Tag("kubernetes-pod-uid", Kubernetes.PodUid("api", "web-1")!));
        call.RoleSessionName.Should().Be("api.web", "tags add to the session name, they do not replace it");
    }

    [Fact]
    public async Task Only_the_chosen_tags_are_sent()
    {
        await using var app = App("kubernetes-namespace");

        using var response = await app.VendAsync(Kubernetes.MintProjectedToken("api", "web", podName: "web-1"));

        await response.ShouldBeCredentialsAsync();
        Tags(Sts.Calls.Should().ContainSingle().Subject.Tags).Should().Equal(Tag("kubernetes-namespace", "api"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(" , ")]
    public async Task Without_session_tags_none_are_sent(string? sessionTags)
    {
        await using var app = App(sessionTags);

        using var response = await app.VendAsync(Kubernetes.MintProjectedToken("api", "web"));

        await response.ShouldBeCredentialsAsync();
        Sts.Calls.Should().ContainSingle().Which.Tags.Should().BeEmpty();
    }

    [Fact]
    public async Task A_legacy_token_gets_no_pod_tags_rather_than_empty_ones()
    {
        await using var app = App(AllTags);

        using var response = await app.VendAsync(Kubernetes.MintLegacyToken("production", "billing"));

        await response.ShouldBeCredentialsAsync();
        Tags(Sts.Calls.Should().ContainSingle().Subject.Tags).Should().Equal(
            Tag("kubernetes-namespace", "production"),
            Tag("kubernetes-service-account", "billing"));
    }

    [Fact]
    public async Task Pod_tags_give_each_pod_its_own_assume_role()
    {
        await using var app = App("kubernetes-namespace,kubernetes-pod-name");

        var first = await VendKeyAsync(app, Kubernetes.MintProjectedToken("api", "web", podName: "web-1"));
        var second = await VendKeyAsync(app, Kubernetes.MintProjectedToken("api", "web", podName: "web-2"));
        var firstAgain = await VendKeyAsync(app, Kubernetes.MintProjectedToken("api", "web", podName: "web-1"));

        Sts.AssumeRoleCount.Should().Be(2);
        second.Should().NotBe(first);
        firstAgain.Should().Be(first, "a pod's next token is served from that pod's cache entry");
        Sts.Calls.Select(call => call.Tags[1].Value).Should().Equal("web-1", "web-2");
    }

    [Fact]
    public async Task Without_pod_tags_the_pods_of_a_service_account_share_one_assume_role()
    {
        await using var app = App("kubernetes-namespace,kubernetes-service-account");

        var first = await VendKeyAsync(app, Kubernetes.MintProjectedToken("api", "web", podName: "web-1"));
        var second = await VendKeyAsync(app, Kubernetes.MintProjectedToken("api", "web", podName: "web-2"));

        Sts.AssumeRoleCount.Should().Be(1);
        second.Should().Be(first);
    }

    [Fact]
    public async Task A_role_whose_trust_does_not_allow_tag_session_is_502_naming_access_denied()
    {
        Sts.RoleTrustAllowsTagSession = false;
        try
        {
            await using var tagging = App("kubernetes-namespace");
            using var refused = await tagging.VendAsync(Kubernetes.MintProjectedToken("api", "web"));

            var problem = await refused.ShouldBeProblemAsync(HttpStatusCode.BadGateway);
            problem.Detail().Should().Contain("AccessDenied").And.Contain("sts:TagSession");
            Sts.AssumeRoleCount.Should().Be(1, "a refusal is not retried");

            await using var untagged = App(null);
            using var served = await untagged.VendAsync(Kubernetes.MintProjectedToken("api", "web"));
            await served.ShouldBeCredentialsAsync();
        }
        finally
        {
            Sts.RoleTrustAllowsTagSession = true;
        }
    }

    [Fact]
    public async Task Unknown_tag_names_stop_start_up_naming_the_variable_and_the_allowed_names()
    {
        var environment = TvmProcesses.Environment(upstreams);
        environment["SESSION_TAGS"] = "kubernetes-namespace,team";
        await using var tvm = TvmProcess.Start(TvmProcesses.TvmAssembly, environment);

        (await tvm.WaitForExitAsync(TimeSpan.FromSeconds(30))).Should().NotBe(0);

        var problem = tvm.StdoutLines.Select(line => JsonDocument.Parse(line).RootElement)
            .Where(e => e.GetProperty("Level").GetString() == "Fatal")
            .Should().ContainSingle().Which.GetProperty("Problem").GetString();
        problem.Should().StartWith("SESSION_TAGS").And.Contain("'team'")
            .And.Contain("kubernetes-namespace, kubernetes-service-account, kubernetes-pod-name, kubernetes-pod-uid");
    }

    [Fact]
    public void Tags_follow_the_fixed_order_and_leave_out_unknown_values()
    {
        var tags = SessionTags.Of(["kubernetes-pod-uid", "kubernetes-namespace"]);

        tags.Chosen.Should().Equal("kubernetes-namespace", "kubernetes-pod-uid");
        tags.ArePerPod.Should().BeTrue();
        Tags(tags.For(new WorkloadIdentity("api", "web", "sa-uid", "web-1", "pod-uid", "node-1")))
            .Should().Equal(Tag("kubernetes-namespace", "api"), Tag("kubernetes-pod-uid", "pod-uid"));
        Tags(tags.For(new WorkloadIdentity("api", "web"))).Should().Equal(Tag("kubernetes-namespace", "api"));
        SessionTags.Of([]).Should().BeSameAs(SessionTags.None);
        SessionTags.None.For(new WorkloadIdentity("api", "web")).Should().BeEmpty();
        SessionTags.Of(["kubernetes-namespace", "kubernetes-service-account"]).ArePerPod.Should().BeFalse();
    }

    [Theory]
    [InlineData("team")]
    [InlineData("Kubernetes-Namespace")]
    [InlineData("kubernetes-node-name")]
    public void Only_pod_identitys_names_are_tags(string name)
    {
        SessionTags.IsKnown(name).Should().BeFalse();
        var of = () => SessionTags.Of([name]);
        of.Should().Throw<ArgumentException>().WithMessage($"*'{name}'*");
    }

    private static async Task<string> VendKeyAsync(TvmApp app, string token)
    {
        using var response = await app.VendAsync(token);
        return (await response.ShouldBeCredentialsAsync()).GetProperty("AWS_ACCESS_KEY_ID").GetString()!;
    }
}
