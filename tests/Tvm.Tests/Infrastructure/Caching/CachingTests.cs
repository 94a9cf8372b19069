using System.Text;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Tvm.Infrastructure.Caching;
using Tvm.Infrastructure.Configuration;
using Tvm.Infrastructure.Kubernetes;
using Tvm.Infrastructure.Sts;
using Tvm.Infrastructure.Templating;

namespace Tvm.Tests.Infrastructure.Caching;

/// <summary>Cache semantics on a fake clock: no sleeps, no real time.</summary>
public sealed class CachingTests : IDisposable
{
    private static readonly WorkloadIdentity Web = new("api", "web");
    private static readonly TimeSpan Session = TimeSpan.FromHours(1);

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.Zero));
    private readonly ServiceProvider _services = new ServiceCollection().AddHybridCache().Services.BuildServiceProvider();
    private readonly List<IDisposable> _caches = [];

    public void Dispose()
    {
        _caches.ForEach(cache => cache.Dispose());
        _services.Dispose();
    }

    private CoalescingCache<T> NewCache<T>(int size = 100)
        where T : class
    {
        var cache = new CoalescingCache<T>(_services.GetRequiredService<HybridCache>(), _clock, typeof(T).Name + Guid.NewGuid(), size);
        _caches.Add(cache);
        return cache;
    }

    private CachingTokenReviewer Reviewer(ITokenReviewer inner, int cacheSeconds = 10) => new(
        inner,
        NewCache<WorkloadIdentity>(),
        _clock,
        Options.Create(new TvmOptions { TokenReviewCacheSeconds = cacheSeconds, TokenAudiences = ["tvm"] }));

    private static string Jwt(DateTimeOffset? expiry, string subject = "system:serviceaccount:api:web")
    {
        static string Encode(string json) => Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var exp = expiry is { } e ? $",\"exp\":{e.ToUnixTimeSeconds()}" : "";
        return $"{Encode("""{"alg":"RS256"}""")}.{Encode($$"""{"sub":"{{subject}}"{{exp}}}""")}.c2lnbmF0dXJl";
    }

    [Fact]
    public async Task A_review_is_reused_within_the_configured_seconds_and_not_after()
    {
        var inner = new CountingReviewer();
        var reviewer = Reviewer(inner);
        var token = Jwt(_clock.GetUtcNow().AddHours(1));

        (await reviewer.ReviewAsync(token.AsMemory(), TestContext.Current.CancellationToken)).Should().Be(Web);
        _clock.Advance(TimeSpan.FromSeconds(9));
        (await reviewer.ReviewAsync(token.AsMemory(), TestContext.Current.CancellationToken)).Should().Be(Web);
        inner.Calls.Should().Be(1);

        _clock.Advance(TimeSpan.FromSeconds(2));
        await reviewer.ReviewAsync(token.AsMemory(), TestContext.Current.CancellationToken);
        inner.Calls.Should().Be(2);
    }

    [Fact]
    public async Task A_review_never_outlives_the_token()
    {
        var inner = new CountingReviewer();
        var reviewer = Reviewer(inner);
        var token = Jwt(_clock.GetUtcNow().AddSeconds(3));

        await reviewer.ReviewAsync(token.AsMemory(), TestContext.Current.CancellationToken);
        _clock.Advance(TimeSpan.FromSeconds(2));
        await reviewer.ReviewAsync(token.AsMemory(), TestContext.Current.CancellationToken);
        inner.Calls.Should().Be(1);

        _clock.Advance(TimeSpan.FromSeconds(2));
        await reviewer.ReviewAsync(token.AsMemory(), TestContext.Current.CancellationToken);
        inner.Calls.Should().Be(2, "the token expired before the cache time was up");
    }

    [Fact]
    public async Task Tokens_without_expiry_use_the_configured_seconds()
    {
        var inner = new CountingReviewer();
        var reviewer = Reviewer(inner, cacheSeconds: 30);
        var legacy = Jwt(expiry: null);

        await reviewer.ReviewAsync(legacy.AsMemory(), TestContext.Current.CancellationToken);
        _clock.Advance(TimeSpan.FromSeconds(29));
        await reviewer.ReviewAsync(legacy.AsMemory(), TestContext.Current.CancellationToken);
        inner.Calls.Should().Be(1);
    }

    [Fact]
    public async Task Failed_reviews_are_not_cached()
    {
        var inner = new CountingReviewer { FailuresFirst = 1 };
        var reviewer = Reviewer(inner);
        var token = Jwt(_clock.GetUtcNow().AddHours(1));

        var first = () => reviewer.ReviewAsync(token.AsMemory(), TestContext.Current.CancellationToken).AsTask();
        await first.Should().ThrowAsync<TokenReviewException>();
        (await reviewer.ReviewAsync(token.AsMemory(), TestContext.Current.CancellationToken)).Should().Be(Web);
        inner.Calls.Should().Be(2);
    }

    [Fact]
    public async Task Different_tokens_are_reviewed_separately()
    {
        var inner = new CountingReviewer();
        var reviewer = Reviewer(inner);

        await reviewer.ReviewAsync(Jwt(_clock.GetUtcNow().AddHours(1), "a").AsMemory(), TestContext.Current.CancellationToken);
        await reviewer.ReviewAsync(Jwt(_clock.GetUtcNow().AddHours(1), "b").AsMemory(), TestContext.Current.CancellationToken);

        inner.Calls.Should().Be(2);
    }

    [Fact]
    public async Task Tokens_in_one_header_string_are_told_apart_by_where_they_sit_in_it()
    {
        var inner = new CountingReviewer();
        var reviewer = Reviewer(inner);
        var (a, b) = (Jwt(_clock.GetUtcNow().AddHours(1), "a"), Jwt(_clock.GetUtcNow().AddHours(1), "b"));
        var header = a + " " + b;

        await reviewer.ReviewAsync(header.AsMemory(0, a.Length), TestContext.Current.CancellationToken);
        await reviewer.ReviewAsync(header.AsMemory(0, a.Length), TestContext.Current.CancellationToken);
        await reviewer.ReviewAsync(header.AsMemory(a.Length + 1), TestContext.Current.CancellationToken);
        inner.Calls.Should().Be(2, "the second token of the string, remembered for its first, is another token");

        await reviewer.ReviewAsync(header.AsMemory(a.Length + 1), TestContext.Current.CancellationToken);
        await reviewer.ReviewAsync(header.AsMemory(0, a.Length), TestContext.Current.CancellationToken);
        await reviewer.ReviewAsync(b.AsMemory(), TestContext.Current.CancellationToken);
        inner.Calls.Should().Be(2, "both are cached, wherever they come from");
    }

    [Fact]
    public async Task A_header_string_is_hashed_until_its_token_is_cached_and_not_after()
    {
        var reviewer = Reviewer(new CountingReviewer());
        var token = Jwt(_clock.GetUtcNow().AddHours(1));
        var header = "Bearer " + token;
        var equalCopy = new string(header.AsSpan());
        await reviewer.ReviewAsync(header.AsMemory(7), TestContext.Current.CancellationToken);

        var allocatedForFirstRepeat = await AllocatedByAsync(() => reviewer.ReviewAsync(header.AsMemory(7), TestContext.Current.CancellationToken));
        var allocatedForLaterRepeat = await AllocatedByAsync(() => reviewer.ReviewAsync(header.AsMemory(7), TestContext.Current.CancellationToken));
        var allocatedForEqualCopy = await AllocatedByAsync(() => reviewer.ReviewAsync(equalCopy.AsMemory(7), TestContext.Current.CancellationToken));

        allocatedForFirstRepeat.Should().BePositive("a string is remembered only once its token is found in the cache");
        allocatedForLaterRepeat.Should().Be(0, "from then on its key is remembered");
        allocatedForEqualCopy.Should().BePositive("an equal token in another string is hashed to find its key");
    }

    private static async Task<long> AllocatedByAsync(Func<ValueTask<WorkloadIdentity>> review)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        var pending = review();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        pending.IsCompletedSuccessfully.Should().BeTrue("a cache hit completes synchronously");
        (await pending).Should().Be(Web);
        return allocated;
    }

    [Fact]
    public async Task Concurrent_misses_share_one_review()
    {
        var inner = new CountingReviewer { Gate = new TaskCompletionSource() };
        var reviewer = Reviewer(inner);
        var token = Jwt(_clock.GetUtcNow().AddHours(1));

        var callers = Enumerable.Range(0, 200).Select(_ => reviewer.ReviewAsync(token.AsMemory(), TestContext.Current.CancellationToken).AsTask()).ToArray();
        inner.Gate.SetResult();
        var identities = await Task.WhenAll(callers);

        inner.Calls.Should().Be(1);
        identities.Should().AllSatisfy(identity => identity.Should().BeSameAs(identities[0]));
    }

    private CachingCredentialIssuer Issuer(ICredentialIssuer inner, int size = 100) =>
        new(inner, NewCache<AwsCredentials>(size), _clock, Options.Create(new TvmOptions { CredentialCacheSize = size }), Microsoft.Extensions.Logging.Abstractions.NullLogger<CachingCredentialIssuer>.Instance);

    private static CredentialRequest Request(string policy = """{"Version":"2012-10-17"}""", string session = "api.web") =>
        new("arn:aws:iam::123456789012:role/tvm", session, new SessionPolicy(policy), Session);

    [Fact]
    public async Task Credentials_are_served_while_at_least_half_their_life_remains()
    {
        var inner = new CountingIssuer(_clock);
        var issuer = Issuer(inner);

        var first = await issuer.IssueAsync(Request(), TestContext.Current.CancellationToken);
        _clock.Advance(TimeSpan.FromMinutes(29));
        var second = await issuer.IssueAsync(Request(), TestContext.Current.CancellationToken);
        second.Should().BeSameAs(first);
        (second.Expiration - _clock.GetUtcNow()).Should().BeGreaterThanOrEqualTo(Session / 2);

        _clock.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        var third = await issuer.IssueAsync(Request(), TestContext.Current.CancellationToken);
        third.Should().NotBeSameAs(first);
        inner.Calls.Should().Be(2);
        (third.Expiration - _clock.GetUtcNow()).Should().Be(Session);
    }

    [Fact]
    public async Task Credentials_with_less_than_half_their_life_at_issue_are_not_cached()
    {
        var inner = new CountingIssuer(_clock) { Lifetime = TimeSpan.FromMinutes(20) };
        var issuer = Issuer(inner);

        await issuer.IssueAsync(Request(), TestContext.Current.CancellationToken);
        await issuer.IssueAsync(Request(), TestContext.Current.CancellationToken);

        inner.Calls.Should().Be(2);
    }

    [Fact]
    public async Task Sts_errors_are_not_cached()
    {
        var inner = new CountingIssuer(_clock) { FailuresFirst = 1 };
        var issuer = Issuer(inner);

        var first = () => issuer.IssueAsync(Request(), TestContext.Current.CancellationToken).AsTask();
        await first.Should().ThrowAsync<AssumeRoleException>();
        await issuer.IssueAsync(Request(), TestContext.Current.CancellationToken);

        inner.Calls.Should().Be(2);
    }

    [Theory]
    [InlineData(AssumeRoleFailure.Unavailable)]
    [InlineData(AssumeRoleFailure.Throttled)]
    public async Task An_sts_outage_is_ridden_out_with_the_last_credentials_until_five_minutes_before_they_expire(AssumeRoleFailure failure)
    {
        var inner = new SwitchableIssuer(_clock);
        var issuer = Issuer(inner);
        var issued = await issuer.IssueAsync(Request(), TestContext.Current.CancellationToken);

        inner.Failure = failure;
        _clock.Advance(TimeSpan.FromMinutes(31));
        var stale = await issuer.IssueAsync(Request(), TestContext.Current.CancellationToken);
        stale.Should().BeSameAs(issued, "29 minutes of life are left, more than the 5-minute margin");
        inner.Calls.Should().Be(2, "STS was asked first");

        _clock.Advance(TimeSpan.FromMinutes(24) + TimeSpan.FromSeconds(1));
        var tooLate = () => issuer.IssueAsync(Request(), TestContext.Current.CancellationToken).AsTask();
        (await tooLate.Should().ThrowAsync<AssumeRoleException>()).Which.Failure.Should().Be(failure);

        inner.Failure = null;
        (await issuer.IssueAsync(Request(), TestContext.Current.CancellationToken)).Should().NotBeSameAs(issued);
    }

    [Fact]
    public async Task A_refusal_is_never_answered_with_stale_credentials()
    {
        var inner = new SwitchableIssuer(_clock);
        var issuer = Issuer(inner);
        await issuer.IssueAsync(Request(), TestContext.Current.CancellationToken);

        inner.Failure = AssumeRoleFailure.Refused;
        _clock.Advance(TimeSpan.FromMinutes(31));
        var refused = () => issuer.IssueAsync(Request(), TestContext.Current.CancellationToken).AsTask();

        (await refused.Should().ThrowAsync<AssumeRoleException>()).Which.Failure.Should().Be(AssumeRoleFailure.Refused);
    }

    [Fact]
    public async Task Another_policy_or_session_name_gets_its_own_credentials()
    {
        var inner = new CountingIssuer(_clock);
        var issuer = Issuer(inner);

        var a = await issuer.IssueAsync(Request(), TestContext.Current.CancellationToken);
        var b = await issuer.IssueAsync(Request(policy: """{"Version":"2012-10-17","Statement":[]}"""), TestContext.Current.CancellationToken);
        var c = await issuer.IssueAsync(Request(session: "api.other"), TestContext.Current.CancellationToken);

        inner.Calls.Should().Be(3);
        new[] { a, b, c }.Should().OnlyHaveUniqueItems();
    }

    [Fact]
    public async Task Session_tags_are_part_of_the_key()
    {
        var inner = new CountingIssuer(_clock);
        var issuer = Issuer(inner);
        CredentialRequest Tagged(params (string Key, string Value)[] tags) =>
            Request() with { Tags = tags.Select(tag => new KeyValuePair<string, string>(tag.Key, tag.Value)).ToArray() };

        var untagged = await issuer.IssueAsync(Request(), TestContext.Current.CancellationToken);
        var web1 = await issuer.IssueAsync(Tagged(("kubernetes-pod-name", "web-1")), TestContext.Current.CancellationToken);
        var web2 = await issuer.IssueAsync(Tagged(("kubernetes-pod-name", "web-2")), TestContext.Current.CancellationToken);
        var byUid = await issuer.IssueAsync(Tagged(("kubernetes-pod-uid", "web-1")), TestContext.Current.CancellationToken);
        var twoTags = await issuer.IssueAsync(Tagged(("kubernetes-pod-name", "web-1"), ("kubernetes-pod-uid", "u-1")), TestContext.Current.CancellationToken);

        new[] { untagged, web1, web2, byUid, twoTags }.Should().OnlyHaveUniqueItems("a tag's key and value both count");
        (await issuer.IssueAsync(Tagged(("kubernetes-pod-name", "web-1")), TestContext.Current.CancellationToken)).Should().BeSameAs(web1);
        (await issuer.IssueAsync(Request(), TestContext.Current.CancellationToken)).Should().BeSameAs(untagged);
        inner.Calls.Should().Be(5);
    }

    [Fact]
    public async Task Concurrent_misses_share_one_assume_role()
    {
        var inner = new CountingIssuer(_clock) { Gate = new TaskCompletionSource() };
        var issuer = Issuer(inner);

        var callers = Enumerable.Range(0, 1000).Select(_ => issuer.IssueAsync(Request(), TestContext.Current.CancellationToken).AsTask()).ToArray();
        inner.Gate.SetResult();
        var credentials = await Task.WhenAll(callers);

        inner.Calls.Should().Be(1);
        credentials.Should().AllSatisfy(c => c.Should().BeSameAs(credentials[0]));
    }

    [Fact]
    public async Task The_cache_holds_no_more_than_its_size()
    {
        var cache = NewCache<AwsCredentials>(size: 3);
        var issuer = new CachingCredentialIssuer(new CountingIssuer(_clock), cache, _clock, Options.Create(new TvmOptions { CredentialCacheSize = 3 }), Microsoft.Extensions.Logging.Abstractions.NullLogger<CachingCredentialIssuer>.Instance);

        for (var i = 0; i < 10; i++)
        {
            await issuer.IssueAsync(Request(session: $"api.sa-{i}"), TestContext.Current.CancellationToken);
            cache.Count.Should().BeLessThanOrEqualTo(3);
        }
    }

    private PolicyTemplateStore Templates(string source) =>
        new(TemplateFiles.Write(source), _clock, Microsoft.Extensions.Logging.Abstractions.NullLogger<PolicyTemplateStore>.Instance, TimeSpan.FromSeconds(2));

    [Fact]
    public void Policies_are_rendered_once_per_identity()
    {
        using var templates = Templates("""{"Resource": "{{ namespace }}/{{ serviceaccount }}/{{ pod_name }}"}""");
        using var renderer = new CachingPolicyRenderer(templates, Options.Create(new TvmOptions()));

        var first = renderer.Render(Web);
        renderer.Render(new WorkloadIdentity("api", "web")).Should().BeSameAs(first);
        var pod = renderer.Render(new WorkloadIdentity("api", "web", PodName: "web-1"));
        pod.Should().NotBeSameAs(first, "the template reads pod_name");
        renderer.Render(new WorkloadIdentity("api", "web", PodName: "web-1", NodeName: "node-2")).Should().BeSameAs(pod, "node_name is not in the template");
    }

    [Fact]
    public void Pods_share_a_policy_when_the_template_does_not_name_pods()
    {
        using var templates = Templates("""{"Resource": "{% if namespace == 'api' %}{{ serviceaccount | upper }}{% endif %}"}""");
        using var renderer = new CachingPolicyRenderer(templates, Options.Create(new TvmOptions()));

        var policies = Enumerable.Range(0, 50)
            .Select(pod => renderer.Render(new WorkloadIdentity("api", "web", "sa-uid", $"web-{pod}", $"uid-{pod}", $"node-{pod % 3}")))
            .ToList();

        policies.Should().AllSatisfy(policy => policy.Should().BeSameAs(policies[0]));
    }

    [Fact]
    public void A_reloaded_template_renders_afresh_and_a_broken_one_keeps_the_last_good()
    {
        var path = TemplateFiles.Write("""{"Resource": "old/{{ namespace }}"}""");
        using var templates = new PolicyTemplateStore(path, _clock, Microsoft.Extensions.Logging.Abstractions.NullLogger<PolicyTemplateStore>.Instance, TimeSpan.FromSeconds(2));
        using var renderer = new CachingPolicyRenderer(templates, Options.Create(new TvmOptions()));
        renderer.Render(Web).Json.Should().Contain("old/api");

        File.WriteAllText(path, """{"Resource": "new/{{ namespace }}"}""");
        _clock.Advance(TimeSpan.FromSeconds(2));
        renderer.Render(Web).Json.Should().Contain("new/api");
        templates.Refusal.Should().BeNull();

        File.WriteAllText(path, """{"Resource": "{% if %}"}""");
        _clock.Advance(TimeSpan.FromSeconds(2));
        renderer.Render(Web).Json.Should().Contain("new/api");
        templates.Refusal.Should().Contain("does not parse");
    }


    [Theory]
    [InlineData("eyJhbGciOiJSUzI1NiJ9.eyJleHAiOjE3OTk5OTk5OTl9.sig", 1799999999L)]
    [InlineData("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.sig", null)]
    [InlineData("not-a-jwt", null)]
    [InlineData("a.!!!.c", null)]
    [InlineData("a.bm90IGpzb24.c", null)]
    public void Expiry_is_read_from_the_jwt_payload(string token, long? expected)
    {
        JwtExpiry.Read(token)?.ToUnixTimeSeconds().Should().Be(expected);
        if (expected is null)
        {
            JwtExpiry.Read(token).Should().BeNull();
        }
    }

    private sealed class CountingReviewer : ITokenReviewer
    {
        private int _calls;

        public int Calls => _calls;
        public int FailuresFirst { get; init; }
        public TaskCompletionSource? Gate { get; init; }

        public async ValueTask<WorkloadIdentity> ReviewAsync(ReadOnlyMemory<char> token, CancellationToken cancellationToken)
        {
            var call = Interlocked.Increment(ref _calls);
            if (Gate is not null)
            {
                await Gate.Task;
            }

            return call <= FailuresFirst ? throw new TokenReviewException(TokenReviewFailure.Unavailable, "down") : new WorkloadIdentity("api", "web");
        }
    }

    private sealed class CountingIssuer(TimeProvider clock) : ICredentialIssuer
    {
        private int _calls;

        public int Calls => _calls;
        public int FailuresFirst { get; init; }
        public TimeSpan Lifetime { get; init; } = Session;
        public TaskCompletionSource? Gate { get; init; }

        public async ValueTask<AwsCredentials> IssueAsync(CredentialRequest request, CancellationToken cancellationToken)
        {
            var call = Interlocked.Increment(ref _calls);
            if (Gate is not null)
            {
                await Gate.Task;
            }

            return call <= FailuresFirst
                ? throw new AssumeRoleException(AssumeRoleFailure.Throttled, "slow down")
                : new AwsCredentials($"ASIA{call}", "secret", "token", clock.GetUtcNow() + Lifetime);
        }
    }

    private sealed class SwitchableIssuer(TimeProvider clock) : ICredentialIssuer
    {
        public int Calls { get; private set; }

        public AssumeRoleFailure? Failure { get; set; }

        public ValueTask<AwsCredentials> IssueAsync(CredentialRequest request, CancellationToken cancellationToken)
        {
            Calls++;
            return Failure is { } failure
                ? throw new AssumeRoleException(failure, "STS is down")
                : ValueTask.FromResult(new AwsCredentials($"ASIA{Calls}", "secret", "token", clock.GetUtcNow() + Session));
        }
    }
}
