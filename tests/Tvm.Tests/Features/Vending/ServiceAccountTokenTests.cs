using FluentValidation;

namespace Tvm.Tests.Features.Vending;

/// <summary>The token rules every endpoint shares, checked character by character.</summary>
public sealed class ServiceAccountTokenTests
{
    [Fact]
    public void A_token_is_refused_for_white_space_exactly_when_char_IsWhiteSpace_says_so()
    {
        var validator = new TokenValidator();
        var mismatches = new List<int>();
        for (var code = 0; code <= char.MaxValue; code++)
        {
            var character = (char)code;
            var refused = validator.Validate(new TokenHolder { Token = ("eyJhbGciOi" + character + "JSUzI1NiJ9").AsMemory() }).Errors
                .Any(error => error.ErrorMessage.Contains("white space", StringComparison.Ordinal));
            if (refused != char.IsWhiteSpace(character))
            {
                mismatches.Add(code);
            }
        }

        mismatches.Select(code => $"U+{code:X4}").Should().BeEmpty();
    }

    [Theory]
    [InlineData(" leading")]
    [InlineData("trailing\n")]
    [InlineData("in\u00A0the\u3000middle")]
    public void White_space_anywhere_in_a_long_token_is_refused(string part)
    {
        var token = new string('a', 2_000) + part + new string('b', 2_000);

        new TokenValidator().Validate(new TokenHolder { Token = token.AsMemory() }).Errors
            .Should().ContainSingle(error => error.ErrorMessage.Contains("white space", StringComparison.Ordinal));
    }

    private sealed class TokenHolder
    {
        public ReadOnlyMemory<char> Token { get; init; }
    }

    private sealed class TokenValidator : AbstractValidator<TokenHolder>
    {
        public TokenValidator() => RuleFor(holder => holder.Token).Cascade(CascadeMode.Stop).MustBeUsableToken();
    }
}
