using System.Text.RegularExpressions;
using Tvm.Infrastructure.Sts;

namespace Tvm.Tests.Infrastructure.Sts;

public sealed partial class RoleSessionNameTests
{
    [Theory]
    [InlineData("default", "default", "default.default")]
    [InlineData("api", "web", "api.web")]
    [InlineData("a", "b", "a.b")]
    [InlineData("team-a", "build.bot", "team-a.build.bot")]
    public void Short_names_read_namespace_dot_service_account(string ns, string serviceAccount, string expected)
    {
        RoleSessionName.For(ns, serviceAccount).Should().Be(expected);
    }

    [Theory]
    [InlineData(10, 53)]
    [InlineData(30, 33)]
    [InlineData(63, 63)]
    [InlineData(63, 253)]
    public void Every_name_satisfies_sts_rules(int namespaceLength, int nameLength)
    {
        var name = RoleSessionName.For(new string('n', namespaceLength), new string('s', nameLength));

        name.Length.Should().BeInRange(2, 64);
        StsPattern().IsMatch(name).Should().BeTrue(name);
    }

    [Fact]
    public void Exactly_64_characters_is_kept_as_it_is()
    {
        var name = RoleSessionName.For(new string('n', 30), new string('s', 33));
        name.Should().Be($"{new string('n', 30)}.{new string('s', 33)}");
    }

    [Fact]
    public void Long_names_that_share_a_prefix_stay_distinct_and_readable()
    {
        var prefix = new string('x', 60);
        var first = RoleSessionName.For("payments", prefix + "-one");
        var second = RoleSessionName.For("payments", prefix + "-two");

        first.Should().NotBe(second);
        first.Should().StartWith("payments.xxxx");
        first.Length.Should().Be(64);
        RoleSessionName.For("payments", prefix + "-one").Should().Be(first, "the name must be stable across calls");
    }

    [GeneratedRegex(@"^[\w+=,.@-]{2,64}$")]
    private static partial Regex StsPattern();
}
