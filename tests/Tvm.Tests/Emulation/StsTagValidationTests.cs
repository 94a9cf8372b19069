using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using Tvm.Emulators.Sts;

namespace Tvm.Tests.Emulation;

/// <summary>
/// The STS emulator's session-tag rules, asked through the AWS SDK directly: TVM itself never sends tags that break
/// them, so these requests are made by hand. The SDK checks none of the constraints, so each reaches the emulator.
/// </summary>
public sealed class StsTagValidationTests(Upstreams upstreams) : IDisposable
{
    private const string Policy = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}""";

    private readonly AmazonSecurityTokenServiceClient _client = new(
        new BasicAWSCredentials(upstreams.Sts.AccessKeyId, upstreams.Sts.SecretAccessKey),
        new AmazonSecurityTokenServiceConfig
        {
            ServiceURL = upstreams.Sts.Endpoint.ToString(),
            AuthenticationRegion = upstreams.Sts.Region,
            MaxErrorRetry = 0,
        });

    private StsEmulator Sts => upstreams.Sts;

    public void Dispose() => _client.Dispose();

    private Task<AssumeRoleResponse> AssumeRoleAsync(IEnumerable<Tag> tags, string? policy = null) =>
        _client.AssumeRoleAsync(new AssumeRoleRequest
        {
            RoleArn = Sts.RoleArn,
            RoleSessionName = "api.web",
            Policy = policy,
            Tags = tags.ToList(),
        }, TestContext.Current.CancellationToken);

    private async Task<AmazonSecurityTokenServiceException> RefusedAsync(IEnumerable<Tag> tags, string? policy = null)
    {
        var call = () => AssumeRoleAsync(tags, policy);
        var refusal = (await call.Should().ThrowAsync<AmazonSecurityTokenServiceException>()).Which;
        Sts.Calls.Should().ContainSingle().Which.ErrorCode.Should().Be(refusal.ErrorCode);
        return refusal;
    }

    private static IEnumerable<Tag> Tags(int count, int keyLength = 3, int valueLength = 3) =>
        Enumerable.Range(0, count).Select(i => new Tag
        {
            Key = $"k{i:D2}".PadRight(keyLength, 'k')[..keyLength],
            Value = new string('v', valueLength),
        });

    // The SDK's analyzers check constant tag values against STS's pattern at compile time; these are meant to break it.
    private static Tag Unchecked(string key, string? value) => new() { Key = key, Value = value };

    [Fact]
    public async Task Tags_are_recorded_as_sent_and_count_toward_the_packed_size()
    {
        Tag[] tags =
        [
            new() { Key = "kubernetes-namespace", Value = "api" },
            new() { Key = "team:owner/cost=centre+1@eu_west.a-b", Value = "Équipe Ünïcode ١٢٣ 東京" },
            new() { Key = "empty", Value = "" },
        ];

        await AssumeRoleAsync(tags);

        Sts.Calls.Should().ContainSingle().Which.Tags.Select(tag => (tag.Key, tag.Value)).Should().Equal(tags.Select(tag => (tag.Key, tag.Value)));
    }

    [Fact]
    public async Task Fifty_tags_are_accepted()
    {
        var response = await AssumeRoleAsync(Tags(50));

        response.Credentials.AccessKeyId.Should().StartWith("ASIA");
        Sts.Calls.Should().ContainSingle().Which.Tags.Should().HaveCount(50);
    }

    [Fact]
    public async Task More_than_fifty_tags_are_a_validation_error()
    {
        var refusal = await RefusedAsync(Tags(51));

        refusal.ErrorCode.Should().Be("ValidationError");
        refusal.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        refusal.Message.Should().StartWith("1 validation error detected: Value '[")
            .And.EndWith("at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50");
    }

    [Fact]
    public async Task A_key_of_128_and_a_value_of_256_characters_are_accepted()
    {
        await AssumeRoleAsync(Tags(1, keyLength: 128, valueLength: 256));

        Sts.Calls.Should().ContainSingle().Which.ErrorCode.Should().BeNull();
    }

    public static TheoryData<string, string?, string> BrokenTags => new()
    {
        { new string('k', 129), "v", "at 'tags.1.member.key' failed to satisfy constraint: Member must have length less than or equal to 128" },
        { "k", new string('v', 257), "at 'tags.1.member.value' failed to satisfy constraint: Member must have length less than or equal to 256" },
        { "", "v", "at 'tags.1.member.key' failed to satisfy constraint: Member must have length greater than or equal to 1" },
        { "team#1", "v", @"at 'tags.1.member.key' failed to satisfy constraint: Member must satisfy regular expression pattern: [\p{L}\p{Z}\p{N}_.:/=+\-@]+" },
        { "team", "a|b", @"at 'tags.1.member.value' failed to satisfy constraint: Member must satisfy regular expression pattern: [\p{L}\p{Z}\p{N}_.:/=+\-@]*" },
        { "team", "tab\there", @"at 'tags.1.member.value' failed to satisfy constraint: Member must satisfy regular expression pattern: [\p{L}\p{Z}\p{N}_.:/=+\-@]*" },
        { "team", null, "Value null at 'tags.1.member.value' failed to satisfy constraint: Member must not be null" },
    };

    [Theory]
    [MemberData(nameof(BrokenTags))]
    public async Task A_tag_breaking_a_member_constraint_is_a_validation_error(string key, string? value, string expected)
    {
        var refusal = await RefusedAsync([Unchecked(key, value)]);

        refusal.ErrorCode.Should().Be("ValidationError");
        refusal.Message.Should().Contain(expected);
    }

    [Fact]
    public async Task Every_broken_tag_is_reported_at_once()
    {
        var refusal = await RefusedAsync([Unchecked("ok", "a|b"), Unchecked(new string('k', 129), "v")]);

        refusal.Message.Should().StartWith("2 validation errors detected:")
            .And.Contain("'tags.1.member.value'").And.Contain("'tags.2.member.key'");
    }

    [Fact]
    public async Task Keys_differing_only_in_case_are_duplicates()
    {
        var refusal = await RefusedAsync([new Tag { Key = "Team", Value = "a" }, new Tag { Key = "team", Value = "b" }]);

        refusal.ErrorCode.Should().Be("ValidationError");
        refusal.Message.Should().Contain("Duplicate tag keys").And.Contain("case insensitive");
    }

    [Fact]
    public async Task Tags_need_a_trust_policy_allowing_tag_session()
    {
        Sts.RoleTrustAllowsTagSession = false;
        try
        {
            var refusal = await RefusedAsync(Tags(1));

            refusal.ErrorCode.Should().Be("AccessDenied");
            refusal.StatusCode.Should().Be(HttpStatusCode.Forbidden);
            refusal.Message.Should().Be($"User: {Sts.UserArn} is not authorized to perform: sts:TagSession on resource: {Sts.RoleArn}");

            Sts.ResetCounters();
            (await AssumeRoleAsync([])).Credentials.Should().NotBeNull("without tags the trust policy's sts:AssumeRole is enough");
        }
        finally
        {
            Sts.RoleTrustAllowsTagSession = true;
        }
    }

    [Fact]
    public async Task A_policy_that_fits_alone_may_not_fit_with_its_tags()
    {
        var policy = Policy.Replace("\"*\"", $"\"arn:aws:s3:::{new string('b', 1300)}\"", StringComparison.Ordinal);
        (await AssumeRoleAsync([], policy)).Credentials.Should().NotBeNull("the policy alone fits");
        Sts.ResetCounters();

        var refusal = await RefusedAsync(Tags(2, keyLength: 100, valueLength: 100), policy);

        refusal.ErrorCode.Should().Be("PackedPolicyTooLarge");
        refusal.Message.Should().MatchRegex(@"^Packed size of session tags consumes 1\d\d% of allotted space\.$");
    }

    [Fact]
    public async Task Tags_of_a_refused_request_are_recorded_too()
    {
        await RefusedAsync([new Tag { Key = "team" }]);

        Sts.Calls.Should().ContainSingle().Which.Tags.Select(tag => (tag.Key, tag.Value)).Should().Equal(("team", ""));
    }
}
