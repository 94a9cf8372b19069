using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace Tvm.Emulators.Sts;

/// <summary>
/// Checks an inline session policy once its length is known to be within 2048 characters.
/// <list type="bullet">
/// <item>It must parse as JSON and have the IAM policy shape: an object with a "Version" of 2012-10-17 or
/// 2008-10-17 and a "Statement" that is an object or a non-empty array of objects, each with "Effect" Allow or Deny;
/// otherwise <c>MalformedPolicyDocument</c>.</item>
/// <item>Packed size: STS compresses the policy into the session token and reports the share of the space it takes.
/// Its real packing is not published, so the emulator uses a documented stand-in: the policy's length with
/// whitespace outside strings removed, as a share of 1600 characters, rounded up. Above 100% it answers
/// <c>PackedPolicyTooLarge</c>.</item>
/// </list>
/// </summary>
internal static class SessionPolicyValidator
{
    public const int PackedCapacity = 1600;

    private static readonly JsonDocumentOptions StrictJson = new()
    {
        AllowTrailingCommas = false,
        CommentHandling = JsonCommentHandling.Disallow,
        MaxDepth = 64,
    };

    public static bool TryMeasure(string policy, out int packedPercent, [NotNullWhen(false)] out StsError? error)
    {
        packedPercent = 0;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(policy, StrictJson);
        }
        catch (JsonException)
        {
            error = StsError.MalformedPolicyDocument("The policy is not in the valid JSON format.");
            return false;
        }

        using (document)
        {
            var shapeProblem = ShapeProblem(document.RootElement);
            if (shapeProblem is not null)
            {
                error = StsError.MalformedPolicyDocument(shapeProblem);
                return false;
            }
        }

        packedPercent = (int)Math.Ceiling(CompactLength(policy) * 100.0 / PackedCapacity);
        if (packedPercent > 100)
        {
            error = StsError.PackedPolicyTooLarge(packedPercent);
            return false;
        }

        error = null;
        return true;
    }

    private static string? ShapeProblem(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return "The policy must be a JSON object.";
        }

        if (!root.TryGetProperty("Version", out var version)
            || version.ValueKind != JsonValueKind.String
            || version.GetString() is not ("2012-10-17" or "2008-10-17"))
        {
            return "The policy must contain a valid version string";
        }

        if (!root.TryGetProperty("Statement", out var statement))
        {
            return "Missing required field Statement";
        }

        var statements = statement.ValueKind switch
        {
            JsonValueKind.Object => [statement],
            JsonValueKind.Array => statement.EnumerateArray().ToList(),
            _ => [],
        };

        if (statements.Count == 0 || statements.Any(s => s.ValueKind != JsonValueKind.Object))
        {
            return "Statement must be an object or a non-empty array of objects";
        }

        foreach (var item in statements)
        {
            if (!item.TryGetProperty("Effect", out var effect))
            {
                return "Missing required field Effect";
            }

            if (effect.ValueKind != JsonValueKind.String || effect.GetString() is not ("Allow" or "Deny"))
            {
                return $"Invalid effect: {effect.GetRawText()}";
            }
        }

        return null;
    }

    /// <summary>Length of the policy once insignificant whitespace (outside JSON strings) is dropped.</summary>
    internal static int CompactLength(string policy)
    {
        var length = 0;
        var inString = false;
        var escaped = false;
        foreach (var c in policy)
        {
            if (inString)
            {
                length++;
                if (escaped)
                {
                    escaped = false;
                }
                else if (c == '\\')
                {
                    escaped = true;
                }
                else if (c == '"')
                {
                    inString = false;
                }
            }
            else if (c == '"')
            {
                inString = true;
                length++;
            }
            else if (!char.IsWhiteSpace(c))
            {
                length++;
            }
        }

        return length;
    }
}
