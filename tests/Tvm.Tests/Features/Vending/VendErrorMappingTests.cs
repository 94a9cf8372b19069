namespace Tvm.Tests.Features.Vending;

public sealed class VendErrorMappingTests
{
    [Theory]
    [InlineData(VendError.MissingBearerToken, 401)]
    [InlineData(VendError.InvalidToken, 401)]
    [InlineData(VendError.NotServiceAccount, 403)]
    [InlineData(VendError.PolicyRenderFailed, 500)]
    [InlineData(VendError.KubernetesRefused, 502)]
    [InlineData(VendError.KubernetesUnavailable, 503)]
    [InlineData(VendError.StsThrottled, 503)]
    [InlineData(VendError.StsRefused, 502)]
    [InlineData(VendError.StsUnavailable, 503)]
    public void Each_error_has_the_contract_status(VendError error, int status)
    {
        var (actual, title) = VendErrorMapping.Describe(error);
        actual.Should().Be(status);
        title.Should().NotBeNullOrWhiteSpace();
    }

    [Fact]
    public void Every_error_is_mapped()
    {
        foreach (var error in Enum.GetValues<VendError>())
        {
            var describe = () => VendErrorMapping.Describe(error);
            describe.Should().NotThrow();
        }
    }
}
