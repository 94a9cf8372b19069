using Tvm.Features.VendCredentials;

namespace Tvm.Tests.Features.VendCredentials;

public sealed class VendCredentialsRequestValidatorTests
{
    private readonly VendCredentialsRequestValidator _validator = new();

    public static TheoryData<string?, string?> Headers => new()
    {
        { "Bearer abc.def.ghi", null },
        { "bearer abc", null },
        { "BEARER abc", null },
        { "Bearer   padded  ", null },
        { null, "missing" },
        { "", "missing" },
        { "Basic dXNlcjpwYXNz", "Bearer scheme" },
        { "Bearerabc", "Bearer scheme" },
        { "Token abc", "Bearer scheme" },
        { "Bearer ", "empty" },
        { "Bearer    ", "empty" },
        { "Bearer " + new string('a', 16 * 1024), null },
        { "Bearer " + new string('a', 16 * 1024 + 1), "16 KiB" },
        { "Bearer " + new string('é', 8 * 1024 + 1), "16 KiB" },
    };

    [Theory]
    [MemberData(nameof(Headers))]
    public void Checks_the_authorization_header(string? header, string? expectedError)
    {
        var result = _validator.Validate(new VendCredentialsRequest { Authorization = header });

        if (expectedError is null)
        {
            result.IsValid.Should().BeTrue(string.Join("; ", result.Errors));
        }
        else
        {
            result.IsValid.Should().BeFalse();
            result.Errors.Should().ContainSingle().Which.ErrorMessage.Should().Contain(expectedError);
        }
    }

    [Fact]
    public void Messages_never_quote_the_token()
    {
        const string token = "secret-token-value";
        foreach (var header in new[] { "Basic " + token, "Bearer " + token + new string('x', 17 * 1024) })
        {
            var result = _validator.Validate(new VendCredentialsRequest { Authorization = header });
            result.Errors.Should().NotBeEmpty();
            result.Errors.Should().AllSatisfy(error => error.ErrorMessage.Should().NotContain(token));
        }
    }

    [Fact]
    public void Token_is_the_header_without_its_scheme()
    {
        new VendCredentialsRequest { Authorization = "Bearer  abc " }.Token.ToString().Should().Be("abc");
        new VendCredentialsRequest { Authorization = null }.Token.IsEmpty.Should().BeTrue();
    }
}
