using Tvm.Infrastructure.Kubernetes;

namespace Tvm.Tests.Infrastructure.Kubernetes;

public sealed class ServiceAccountUsernameTests
{
    [Theory]
    [InlineData("system:serviceaccount:default:default", "default", "default")]
    [InlineData("system:serviceaccount:api:web", "api", "web")]
    [InlineData("system:serviceaccount:kube-system:coredns", "kube-system", "coredns")]
    [InlineData("system:serviceaccount:a1:build.bot-2", "a1", "build.bot-2")]
    public void Accepts_service_accounts(string username, string expectedNamespace, string expectedName)
    {
        ServiceAccountUsername.TryParse(username, out var ns, out var name).Should().BeTrue();
        ns.Should().Be(expectedNamespace);
        name.Should().Be(expectedName);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("alice")]
    [InlineData("system:node:node-1")]
    [InlineData("system:serviceaccount:default")]
    [InlineData("system:serviceaccount::web")]
    [InlineData("system:serviceaccount:api:")]
    [InlineData("system:serviceaccount:API:web")]
    [InlineData("system:serviceaccount:api:Web")]
    [InlineData("system:serviceaccount:-api:web")]
    [InlineData("system:serviceaccount:api-:web")]
    [InlineData("system:serviceaccount:api:web:extra")]
    [InlineData("system:serviceaccount:my.ns:web")]
    [InlineData("system:serviceaccount:api:web..x")]
    [InlineData("system:serviceaccounts:api:web")]
    [InlineData("System:serviceaccount:api:web")]
    public void Rejects_anything_else(string? username)
    {
        ServiceAccountUsername.TryParse(username, out _, out _).Should().BeFalse();
    }

    [Fact]
    public void Enforces_name_lengths()
    {
        var longestNamespace = new string('a', 63);
        ServiceAccountUsername.TryParse($"system:serviceaccount:{longestNamespace}:web", out _, out _).Should().BeTrue();
        ServiceAccountUsername.TryParse($"system:serviceaccount:{longestNamespace}a:web", out _, out _).Should().BeFalse();

        var longestName = string.Join('.', Enumerable.Repeat(new string('b', 63), 4))[..253];
        ServiceAccountUsername.TryParse($"system:serviceaccount:api:{longestName}", out _, out _).Should().BeTrue();
        ServiceAccountUsername.TryParse($"system:serviceaccount:api:{longestName}b", out _, out _).Should().BeFalse();
    }
}
