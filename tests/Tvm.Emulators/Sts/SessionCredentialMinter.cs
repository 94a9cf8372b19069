using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;

namespace Tvm.Emulators.Sts;

/// <summary>
/// Mints temporary credentials that look like real STS ones and can later be recognized again, so a workload can
/// sign requests (GetCallerIdentity) with what TVM vended. Nothing is stored per session: the session token
/// carries the access key id, session name and expiration under an HMAC, and the secret is derived from the access
/// key id, which keeps memory flat however many credentials a benchmark asks for.
/// </summary>
internal sealed class SessionCredentialMinter
{
    // Real session tokens start with these characters (base64 of a fixed binary header); 16 is a multiple of 4,
    // so the rest of the token stays independently decodable.
    private const string TokenPrefix = "IQoJb3JpZ2luX2Vj";
    private const byte TokenFormat = 1;
    private const int AccessKeyIdLength = 20;
    private const int FillerLength = 240; // real tokens are several hundred characters long
    private const int MacLength = 32;
    private const int HeaderLength = 1 + sizeof(long) + AccessKeyIdLength + 1;

    private readonly byte[] _tokenKey = RandomNumberGenerator.GetBytes(32);
    private readonly byte[] _secretKey = RandomNumberGenerator.GetBytes(32);

    public IssuedCredentials Mint(string sessionName, DateTimeOffset expiration)
    {
        var accessKeyId = "ASIA" + RandomNumberGenerator.GetString(EmulatedRole.IdAlphabet, AccessKeyIdLength - 4);
        var name = Encoding.ASCII.GetBytes(sessionName);

        var token = new byte[HeaderLength + name.Length + FillerLength + MacLength];
        token[0] = TokenFormat;
        BinaryPrimitives.WriteInt64BigEndian(token.AsSpan(1), expiration.ToUnixTimeSeconds());
        Encoding.ASCII.GetBytes(accessKeyId, token.AsSpan(1 + sizeof(long)));
        token[HeaderLength - 1] = (byte)name.Length;
        name.CopyTo(token.AsSpan(HeaderLength));
        RandomNumberGenerator.Fill(token.AsSpan(HeaderLength + name.Length, FillerLength));
        var signed = token.AsSpan(0, token.Length - MacLength);
        HMACSHA256.HashData(_tokenKey, signed, token.AsSpan(signed.Length));

        return new IssuedCredentials(accessKeyId, DeriveSecret(accessKeyId), TokenPrefix + Convert.ToBase64String(token), expiration);
    }

    /// <summary>Recognizes credentials this instance minted; false for anything else, including a token of another key.</summary>
    public bool TryRedeem(string accessKeyId, string? sessionToken, [NotNullWhen(true)] out RedeemedSession? session)
    {
        session = null;
        if (sessionToken is null || !sessionToken.StartsWith(TokenPrefix, StringComparison.Ordinal))
        {
            return false;
        }

        byte[] token;
        try
        {
            token = Convert.FromBase64String(sessionToken[TokenPrefix.Length..]);
        }
        catch (FormatException)
        {
            return false;
        }

        if (token.Length < HeaderLength + FillerLength + MacLength || token[0] != TokenFormat)
        {
            return false;
        }

        var signed = token.AsSpan(0, token.Length - MacLength);
        Span<byte> expectedMac = stackalloc byte[MacLength];
        HMACSHA256.HashData(_tokenKey, signed, expectedMac);
        if (!CryptographicOperations.FixedTimeEquals(expectedMac, token.AsSpan(signed.Length)))
        {
            return false;
        }

        var embeddedAccessKeyId = Encoding.ASCII.GetString(token, 1 + sizeof(long), AccessKeyIdLength);
        if (!string.Equals(embeddedAccessKeyId, accessKeyId, StringComparison.Ordinal))
        {
            return false;
        }

        var nameLength = token[HeaderLength - 1];
        if (HeaderLength + nameLength + FillerLength + MacLength != token.Length)
        {
            return false;
        }

        var expiration = DateTimeOffset.FromUnixTimeSeconds(BinaryPrimitives.ReadInt64BigEndian(token.AsSpan(1)));
        var sessionName = Encoding.ASCII.GetString(token, HeaderLength, nameLength);
        session = new RedeemedSession(sessionName, DeriveSecret(accessKeyId), expiration);
        return true;
    }

    // 30 bytes encode to exactly 40 base64 characters, the length and alphabet of a real secret access key.
    private string DeriveSecret(string accessKeyId)
    {
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(_secretKey, Encoding.ASCII.GetBytes(accessKeyId), mac);
        return Convert.ToBase64String(mac[..30]);
    }
}

internal sealed record RedeemedSession(string SessionName, string SecretAccessKey, DateTimeOffset Expiration);
