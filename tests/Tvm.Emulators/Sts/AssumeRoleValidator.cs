using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Tvm.Emulators.Sts;

/// <summary>The AssumeRole parameters as they arrived, before any checking.</summary>
internal sealed record AssumeRoleParameters(string? RoleArn, string? RoleSessionName, string? DurationSeconds, string? Policy, string? SourceIdentity)
{
    public static AssumeRoleParameters From(IReadOnlyDictionary<string, string> parameters) => new(
        parameters.GetValueOrDefault("RoleArn"),
        parameters.GetValueOrDefault("RoleSessionName"),
        parameters.GetValueOrDefault("DurationSeconds"),
        parameters.GetValueOrDefault("Policy"),
        parameters.GetValueOrDefault("SourceIdentity"));

    public int? DurationAsInteger =>
        int.TryParse(DurationSeconds, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) ? value : null;
}

/// <summary>What a valid AssumeRole request is granted.</summary>
internal sealed record AssumeRoleGrant(string SessionName, int DurationSeconds, int? PackedPolicySize, string? SourceIdentity);

/// <summary>
/// Decides an AssumeRole request in the order STS does: member constraints first (all reported together as one
/// <c>ValidationError</c>), then whether the caller may assume the role, then the role's MaxSessionDuration, then the
/// session policy's content.
/// </summary>
internal sealed partial class AssumeRoleValidator(EmulatedRole role, int maxSessionDurationSeconds)
{
    public const int DefaultDurationSeconds = 3600;
    private const int MinDurationSeconds = 900;
    private const int MaxDurationSeconds = 43200;
    private const string NamePattern = @"[\w+=,.@-]*";

    // AWS's \w is ASCII only; .NET's would let any Unicode letter through.
    private static readonly SearchValues<char> NameCharacters =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_+=,.@-");

    public bool TryGrant(
        AssumeRoleParameters request,
        StsCaller caller,
        [NotNullWhen(true)] out AssumeRoleGrant? grant,
        [NotNullWhen(false)] out StsError? error)
    {
        grant = null;
        var violations = ConstraintViolations(request);
        if (violations.Count > 0)
        {
            error = StsError.ConstraintViolations(violations);
            return false;
        }

        var roleArn = request.RoleArn!;
        if (!RoleArnShape().IsMatch(roleArn))
        {
            error = StsError.Validation("Request ARN is invalid");
            return false;
        }

        // The role's trust policy names only the IAM user: a role session may not chain into it, and no other role exists.
        if (caller.IsRoleSession || !string.Equals(roleArn, role.Arn, StringComparison.Ordinal))
        {
            error = StsError.AccessDenied(caller.Arn, roleArn);
            return false;
        }

        var duration = request.DurationAsInteger ?? DefaultDurationSeconds;
        if (duration > maxSessionDurationSeconds)
        {
            error = StsError.Validation("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
            return false;
        }

        int? packedPolicySize = null;
        if (request.Policy is not null)
        {
            if (!SessionPolicyValidator.TryMeasure(request.Policy, out var percent, out error))
            {
                return false;
            }

            packedPolicySize = percent;
        }

        grant = new AssumeRoleGrant(request.RoleSessionName!, duration, packedPolicySize, request.SourceIdentity);
        error = null;
        return true;
    }

    private static List<string> ConstraintViolations(AssumeRoleParameters request)
    {
        var violations = new List<string>();

        if (request.RoleArn is null)
        {
            violations.Add(NullValue("roleArn"));
        }
        else
        {
            if (!IsUnicodeText(request.RoleArn))
            {
                violations.Add(Violation(request.RoleArn, "roleArn",
                    @"Member must satisfy regular expression pattern: [\u0009\u000A\u000D\u0020-\u007E\u0085\u00A0-\uD7FF\uE000-\uFFFD\u10000-\u10FFFF]+"));
            }

            AddLengthViolations(violations, request.RoleArn, "roleArn", 20, 2048);
        }

        if (request.RoleSessionName is null)
        {
            violations.Add(NullValue("roleSessionName"));
        }
        else
        {
            AddNameViolations(violations, request.RoleSessionName, "roleSessionName");
        }

        if (request.DurationSeconds is not null)
        {
            if (request.DurationAsInteger is not { } duration)
            {
                violations.Add(Violation(request.DurationSeconds, "durationSeconds", "Member must be an integer"));
            }
            else if (duration < MinDurationSeconds)
            {
                violations.Add(Violation(request.DurationSeconds, "durationSeconds", $"Member must have value greater than or equal to {MinDurationSeconds}"));
            }
            else if (duration > MaxDurationSeconds)
            {
                violations.Add(Violation(request.DurationSeconds, "durationSeconds", $"Member must have value less than or equal to {MaxDurationSeconds}"));
            }
        }

        if (request.Policy is not null)
        {
            if (request.Policy.Any(IsOutsidePolicyCharacter))
            {
                violations.Add(Violation(request.Policy, "policy",
                    @"Member must satisfy regular expression pattern: [\u0009\u000A\u000D\u0020-\u00FF]+"));
            }

            AddLengthViolations(violations, request.Policy, "policy", 1, 2048);
        }

        if (request.SourceIdentity is not null)
        {
            AddNameViolations(violations, request.SourceIdentity, "sourceIdentity");
        }

        return violations;
    }

    private static void AddNameViolations(List<string> violations, string value, string member)
    {
        if (value.AsSpan().ContainsAnyExcept(NameCharacters))
        {
            violations.Add(Violation(value, member, $"Member must satisfy regular expression pattern: {NamePattern}"));
        }

        AddLengthViolations(violations, value, member, 2, 64);
    }

    private static void AddLengthViolations(List<string> violations, string value, string member, int min, int max)
    {
        if (value.Length < min)
        {
            violations.Add(Violation(value, member, $"Member must have length greater than or equal to {min}"));
        }
        else if (value.Length > max)
        {
            violations.Add(Violation(value, member, $"Member must have length less than or equal to {max}"));
        }
    }

    private static string Violation(string value, string member, string constraint) =>
        $"Value '{value}' at '{member}' failed to satisfy constraint: {constraint}";

    private static string NullValue(string member) =>
        $"Value null at '{member}' failed to satisfy constraint: Member must not be null";

    // The model's pattern for policies: tab, LF, CR and U+0020 to U+00FF.
    private static bool IsOutsidePolicyCharacter(char c) => c is not ('\t' or '\n' or '\r') && (c < '\u0020' || c > '\u00FF');

    // The model's pattern for ARNs: any non-empty text without control characters other than tab, LF and CR.
    private static bool IsUnicodeText(string value) => value.Length > 0 && !value.Any(IsOutsideTextCharacter);

    private static bool IsOutsideTextCharacter(char c) =>
        c switch
        {
            '\t' or '\n' or '\r' or '\u0085' => false,
            < '\u0020' => true,
            >= '\u007F' and < '\u00A0' => true,
            '\uFFFE' or '\uFFFF' => true,
            _ => false,
        };

    // arn:PARTITION:iam::ACCOUNT:role/[PATH/]NAME with IAM's path and name character rules.
    [GeneratedRegex(@"^arn:aws(-[a-z]+)*:iam::[0-9]{12}:role/([\u0021-\u007E]+/)?[A-Za-z0-9_+=,.@-]{1,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex RoleArnShape();
}
