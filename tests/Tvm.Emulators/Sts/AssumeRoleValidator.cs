using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Tvm.Emulators.Sts;

/// <summary>One session tag as it arrived; either part may be missing.</summary>
internal sealed record TagParameter(string? Key, string? Value);

/// <summary>The AssumeRole parameters as they arrived, before any checking.</summary>
internal sealed record AssumeRoleParameters(
    string? RoleArn, string? RoleSessionName, string? DurationSeconds, string? Policy, string? SourceIdentity, IReadOnlyList<TagParameter> Tags)
{
    private const string TagMemberPrefix = "Tags.member.";

    public static AssumeRoleParameters From(IReadOnlyDictionary<string, string> parameters) => new(
        parameters.GetValueOrDefault("RoleArn"),
        parameters.GetValueOrDefault("RoleSessionName"),
        parameters.GetValueOrDefault("DurationSeconds"),
        parameters.GetValueOrDefault("Policy"),
        parameters.GetValueOrDefault("SourceIdentity"),
        TagsFrom(parameters));

    /// <summary>
    /// The Query protocol sends a list of structures as <c>Tags.member.N.Key</c> and <c>Tags.member.N.Value</c>, N from 1
    /// (an empty list as a bare <c>Tags=</c>); members are taken in the order of N.
    /// </summary>
    private static TagParameter[] TagsFrom(IReadOnlyDictionary<string, string> parameters)
    {
        SortedDictionary<int, TagParameter>? members = null;
        foreach (var (name, value) in parameters)
        {
            if (!name.StartsWith(TagMemberPrefix, StringComparison.Ordinal))
            {
                continue;
            }

            var rest = name.AsSpan(TagMemberPrefix.Length);
            var dot = rest.IndexOf('.');
            if (dot <= 0 || !int.TryParse(rest[..dot], NumberStyles.None, CultureInfo.InvariantCulture, out var index) || index < 1)
            {
                continue;
            }

            members ??= new SortedDictionary<int, TagParameter>();
            var member = members.GetValueOrDefault(index) ?? new TagParameter(null, null);
            members[index] = rest[(dot + 1)..] switch
            {
                "Key" => member with { Key = value },
                "Value" => member with { Value = value },
                _ => member,
            };
        }

        return members is null ? [] : [.. members.Values];
    }

    public int? DurationAsInteger =>
        int.TryParse(DurationSeconds, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) ? value : null;
}

/// <summary>What a valid AssumeRole request is granted.</summary>
internal sealed record AssumeRoleGrant(string SessionName, int DurationSeconds, int? PackedPolicySize, string? SourceIdentity);

/// <summary>
/// Decides an AssumeRole request in the order STS does: member constraints first (all reported together as one
/// <c>ValidationError</c>), then duplicate tag keys, then whether the caller may assume the role and tag the session,
/// then the role's MaxSessionDuration, then the session policy's content and the packed size of policy and tags.
/// </summary>
internal sealed partial class AssumeRoleValidator(EmulatedRole role, int maxSessionDurationSeconds)
{
    public const int DefaultDurationSeconds = 3600;
    private const int MinDurationSeconds = 900;
    private const int MaxDurationSeconds = 43200;
    private const string NamePattern = @"[\w+=,.@-]*";
    private const int MaxTags = 50;
    private const int MaxTagKeyLength = 128;
    private const int MaxTagValueLength = 256;

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

        // Tag keys are case-insensitive: "Team" and "team" are one key, which a session may carry once.
        if (request.Tags.Select(tag => tag.Key!).Distinct(StringComparer.OrdinalIgnoreCase).Count() != request.Tags.Count)
        {
            error = StsError.DuplicateTagKeys;
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

        if (request.Tags.Count > 0 && !role.TrustAllowsTagSession)
        {
            error = StsError.TagSessionDenied(caller.Arn, roleArn);
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

        if (request.Tags.Count > 0)
        {
            var percent = PackedPercent(request.Policy, request.Tags);
            if (percent > 100)
            {
                error = StsError.PackedSessionTagsTooLarge(percent);
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

        AddTagViolations(violations, request.Tags);
        return violations;
    }

    private static void AddTagViolations(List<string> violations, IReadOnlyList<TagParameter> tags)
    {
        if (tags.Count > MaxTags)
        {
            var listed = $"[{string.Join(", ", tags.Select(tag => $"{{Key: {tag.Key}, Value: {tag.Value}}}"))}]";
            violations.Add(Violation(listed, "tags", $"Member must have length less than or equal to {MaxTags}"));
        }

        for (var i = 0; i < tags.Count; i++)
        {
            var member = $"tags.{i + 1}.member";
            if (tags[i].Key is not { } key)
            {
                violations.Add(NullValue($"{member}.key"));
            }
            else
            {
                if (key.Length == 0 || !IsTagText(key))
                {
                    violations.Add(Violation(key, $"{member}.key", $"Member must satisfy regular expression pattern: {TagPattern}+"));
                }

                AddLengthViolations(violations, key, $"{member}.key", 1, MaxTagKeyLength);
            }

            if (tags[i].Value is not { } value)
            {
                violations.Add(NullValue($"{member}.value"));
            }
            else
            {
                if (!IsTagText(value))
                {
                    violations.Add(Violation(value, $"{member}.value", $"Member must satisfy regular expression pattern: {TagPattern}*"));
                }

                AddLengthViolations(violations, value, $"{member}.value", 0, MaxTagValueLength);
            }
        }
    }

    private const string TagPattern = @"[\p{L}\p{Z}\p{N}_.:/=+\-@]";

    // Letters, separators (spaces) and numbers of any script, and _.:/=+-@; counted by code point, so a letter
    // outside the Basic Multilingual Plane is one letter, as the service's regular expression sees it.
    private static bool IsTagText(string value)
    {
        foreach (var rune in value.EnumerateRunes())
        {
            var allowed = Rune.GetUnicodeCategory(rune) switch
            {
                UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
                    or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter => true,
                UnicodeCategory.SpaceSeparator or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator => true,
                UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber => true,
                _ => rune.Value is '_' or '.' or ':' or '/' or '=' or '+' or '-' or '@',
            };
            if (!allowed)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// STS packs the session policy and the session tags into one space whose layout it does not publish. The
    /// emulator's stand-in extends the policy rule: the policy's compact length plus every tag's key and value
    /// length, as a share of <see cref="SessionPolicyValidator.PackedCapacity"/> characters, rounded up.
    /// </summary>
    internal static int PackedPercent(string? policy, IReadOnlyList<TagParameter> tags)
    {
        var length = (policy is null ? 0 : SessionPolicyValidator.CompactLength(policy)) + tags.Sum(tag => tag.Key!.Length + tag.Value!.Length);
        return (int)Math.Ceiling(length * 100.0 / SessionPolicyValidator.PackedCapacity);
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
