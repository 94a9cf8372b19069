namespace Tvm.Emulators.Sts;

/// <summary>An AWS error answer: HTTP status, error code and message, as real STS words them.</summary>
internal sealed record StsError(int StatusCode, string Code, string Message)
{
    /// <summary>AWS marks its own failures "Receiver" and the caller's "Sender".</summary>
    public string FaultType => StatusCode >= 500 ? "Receiver" : "Sender";

    public static StsError Throttling { get; } = new(400, "Throttling", "Rate exceeded");

    public static StsError InternalFailure { get; } = new(
        500, "InternalFailure", "The request processing has failed because of an unknown error, exception or failure.");

    public static StsError MissingAuthenticationToken { get; } = new(
        403, "MissingAuthenticationToken", "Request is missing Authentication Token");

    public static StsError InvalidClientTokenId { get; } = new(
        403, "InvalidClientTokenId", "The security token included in the request is invalid.");

    public static StsError ExpiredToken { get; } = new(
        400, "ExpiredToken", "The security token included in the request is expired");

    public static StsError SignatureMismatch { get; } = SignatureDoesNotMatch(
        "The request signature we calculated does not match the signature you provided. "
        + "Check your AWS Secret Access Key and signing method. Consult the service documentation for details.");

    public static StsError MissingAction { get; } = new(400, "MissingAction", "Missing Action");

    public static StsError SignatureDoesNotMatch(string message) => new(403, "SignatureDoesNotMatch", message);

    public static StsError IncompleteSignature(string message) => new(400, "IncompleteSignature", message);

    public static StsError InvalidAction(string action, string version) =>
        new(400, "InvalidAction", $"Could not find operation {action} for version {version}");

    public static StsError AccessDenied(string callerArn, string roleArn) =>
        new(403, "AccessDenied", $"User: {callerArn} is not authorized to perform: sts:AssumeRole on resource: {roleArn}");

    public static StsError TagSessionDenied(string callerArn, string roleArn) =>
        new(403, "AccessDenied", $"User: {callerArn} is not authorized to perform: sts:TagSession on resource: {roleArn}");

    public static StsError Validation(string message) => new(400, "ValidationError", message);

    /// <summary>The service framework reports every failed member constraint at once, joined by "; ".</summary>
    public static StsError ConstraintViolations(IReadOnlyCollection<string> violations) =>
        Validation($"{violations.Count} validation error{(violations.Count == 1 ? "" : "s")} detected: {string.Join("; ", violations)}");

    public static StsError MalformedPolicyDocument(string message) => new(400, "MalformedPolicyDocument", message);

    public static StsError PackedPolicyTooLarge(int percent) => new(
        400, "PackedPolicyTooLarge", $"Packed policy consumes {percent}% of allotted space, please use smaller policy.");

    /// <summary>What STS answers when the session policy fits alone but not together with the session tags.</summary>
    public static StsError PackedSessionTagsTooLarge(int percent) => new(
        400, "PackedPolicyTooLarge", $"Packed size of session tags consumes {percent}% of allotted space.");

    public static StsError DuplicateTagKeys { get; } = Validation("Duplicate tag keys found. Please note that Tag keys are case insensitive.");
}
