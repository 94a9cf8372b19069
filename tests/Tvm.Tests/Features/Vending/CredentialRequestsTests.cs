using Tvm.Infrastructure.Kubernetes;
using Tvm.Infrastructure.Sts;
using Tvm.Infrastructure.Templating;

namespace Tvm.Tests.Features.Vending;

/// <summary>
/// The pipeline reuses the AssumeRole request built for a policy instance; whatever it reuses must be exactly the
/// request it would have built for the identity at hand.
/// </summary>
public sealed class CredentialRequestsTests
{
    private const string Role = "arn:aws:iam::123456789012:role/tvm";
    private static readonly TimeSpan Duration = TimeSpan.FromHours(1);
    private static readonly SessionPolicy Policy = new("""{"Version":"2012-10-17"}""");

    private static CredentialRequest Built(WorkloadIdentity identity, SessionPolicy policy, SessionTags tags) =>
        new(Role, RoleSessionName.For(identity), policy, Duration) { Tags = tags.For(identity) };

    [Fact]
    public void The_pods_of_a_service_account_share_one_request_equal_to_a_fresh_one()
    {
        var tags = SessionTags.Of([SessionTags.Namespace, SessionTags.ServiceAccount]);
        var requests = new CredentialRequests(Role, Duration, tags);
        var first = new WorkloadIdentity("api", "web", "uid", "web-1", "pod-1");
        var second = new WorkloadIdentity("api", "web", "uid", "web-2", "pod-2");

        var request = requests.For(first, Policy);

        requests.For(second, Policy).Should().BeSameAs(request);
        request.Should().BeEquivalentTo(Built(second, Policy, tags));
    }

    [Fact]
    public void Another_service_account_with_the_same_policy_instance_gets_its_own_session_name()
    {
        var requests = new CredentialRequests(Role, Duration, SessionTags.None);

        var web = requests.For(new WorkloadIdentity("api", "web"), Policy);
        var worker = requests.For(new WorkloadIdentity("api", "worker"), Policy);
        var other = requests.For(new WorkloadIdentity("jobs", "web"), Policy);

        worker.RoleSessionName.Should().Be("api.worker");
        other.RoleSessionName.Should().Be("jobs.web");
        requests.For(new WorkloadIdentity("api", "web"), Policy).RoleSessionName.Should().Be(web.RoleSessionName).And.Be("api.web");
    }

    [Fact]
    public void With_pod_tags_every_pod_gets_its_own_tags()
    {
        var tags = SessionTags.Of([SessionTags.PodName, SessionTags.PodUid]);
        var requests = new CredentialRequests(Role, Duration, tags);

        for (var pod = 0; pod < 20; pod++)
        {
            var identity = new WorkloadIdentity("api", "web", "uid", $"web-{pod}", $"pod-{pod}");
            requests.For(identity, Policy).Should().BeEquivalentTo(Built(identity, Policy, tags));
        }
    }

    [Fact]
    public void Another_policy_instance_gets_a_request_of_its_own()
    {
        var requests = new CredentialRequests(Role, Duration, SessionTags.None);
        var identity = new WorkloadIdentity("api", "web");
        var renewed = new SessionPolicy("""{"Version":"2012-10-17","Statement":[]}""");

        requests.For(identity, Policy).Policy.Should().BeSameAs(Policy);
        requests.For(identity, renewed).Policy.Should().BeSameAs(renewed);
    }
}
