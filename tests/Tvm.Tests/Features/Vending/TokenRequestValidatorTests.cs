using System.Text;
using FluentValidation;
using Tvm.Features.ContainerCredentials;
using Tvm.Features.VendCredentials;

namespace Tvm.Tests.Features.Vending;

/// <summary>
/// The validators' direct check lets a request through without the rules only when the rules would let it through
/// too, and never turns away one the rules accept: checked on random headers built to sit on every rule's edge.
/// </summary>
public sealed class TokenRequestValidatorTests
{
    private const int Headers = 20_000;

    private static readonly string[] Schemes = ["", "Bearer ", "bearer ", "BEARER ", "Bearer", "Bearer  ", "Basic ", "Token ", " Bearer "];
    private static readonly char[] WhiteSpace = ['\t', '\n', '\r', ' ', '\u00A0', '\u2028', '\u3000', '\u0085'];
    private static readonly int[] EdgeLengths = [0, 1, ServiceAccountToken.MaxBytes / 3, ServiceAccountToken.MaxBytes / 3 + 1, ServiceAccountToken.MaxBytes - 1, ServiceAccountToken.MaxBytes, ServiceAccountToken.MaxBytes + 1];

    private static string? RandomHeader(Random random)
    {
        if (random.Next(50) == 0)
        {
            return null;
        }

        var header = new StringBuilder(Schemes[random.Next(Schemes.Length)]);
        var length = random.Next(4) == 0 ? EdgeLengths[random.Next(EdgeLengths.Length)] : random.Next(0, 40);
        // Multi-byte characters make the UTF-8 size differ from the length near the limit.
        var wide = random.Next(3) == 0;
        var body = new StringBuilder(length);
        for (var i = 0; i < length; i++)
        {
            body.Append(wide ? 'é' : (char)random.Next('a', 'z' + 1));
        }

        if (length > 0 && random.Next(4) == 0)
        {
            body[random.Next(length)] = WhiteSpace[random.Next(WhiteSpace.Length)];
        }

        if (length > 0 && random.Next(4) == 0)
        {
            body[random.Next(length)] = (char)random.Next(0x20, 0xD800);
        }

        header.Append(body);
        if (random.Next(10) == 0)
        {
            header.Append(WhiteSpace[random.Next(WhiteSpace.Length)]);
        }

        return header.ToString();
    }

    private static async Task CheckAgreementAsync<TRequest>(TokenRequestValidator<TRequest> validator, Func<string?, TRequest> request)
        where TRequest : notnull
    {
        var seed = Random.Shared.Next();
        var random = new Random(seed);
        var disagreements = new List<string>();
        var passed = 0;
        for (var i = 0; i < Headers; i++)
        {
            var header = RandomHeader(random);
            var byRules = validator.ValidateByRules(request(header));
            var direct = validator.PassesEveryRule(request(header));
            var answered = validator.Validate(request(header));
            // The way FastEndpoints asks: through the interface, with the instance alone.
            var answeredAsFastEndpointsAsks = await ((IValidator<TRequest>)validator).ValidateAsync(request(header), TestContext.Current.CancellationToken);
            passed += byRules.IsValid ? 1 : 0;
            if (direct != byRules.IsValid
                || !answered.Errors.Select(e => e.ErrorMessage).SequenceEqual(byRules.Errors.Select(e => e.ErrorMessage))
                || !answeredAsFastEndpointsAsks.Errors.Select(e => e.ErrorMessage).SequenceEqual(byRules.Errors.Select(e => e.ErrorMessage)))
            {
                disagreements.Add($"{header?.Length} chars starting '{header?[..Math.Min(12, header.Length)]}': direct {direct}, rules {byRules.IsValid}");
            }
        }

        disagreements.Should().BeEmpty($"seed {seed}");
        passed.Should().BeInRange(Headers / 10, Headers * 9 / 10, "the headers exercise both verdicts");
    }

    [Fact]
    public Task The_vend_validators_direct_check_agrees_with_its_rules() =>
        CheckAgreementAsync(new VendCredentialsRequestValidator(), header => new VendCredentialsRequest { Authorization = header });

    [Fact]
    public Task The_container_credentials_validators_direct_check_agrees_with_its_rules() =>
        CheckAgreementAsync(new ContainerCredentialsRequestValidator(), header => new ContainerCredentialsRequest { Authorization = header });
}
