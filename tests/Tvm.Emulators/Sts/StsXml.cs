using System.Globalization;
using System.Security;
using System.Text;
using System.Xml;

namespace Tvm.Emulators.Sts;

/// <summary>The XML documents STS answers with (AWS Query protocol, API version 2011-06-15).</summary>
internal static class StsXml
{
    public const string Namespace = "https://sts.amazonaws.com/doc/2011-06-15/";

    public static string AssumeRoleResponse(
        string requestId, EmulatedRole role, AssumeRoleGrant grant, IssuedCredentials credentials)
    {
        var xml = new StringBuilder(1536)
            .Append("<AssumeRoleResponse xmlns=\"").Append(Namespace).Append("\">\n")
            .Append("  <AssumeRoleResult>\n");

        if (grant.SourceIdentity is not null)
        {
            xml.Append("    <SourceIdentity>").Append(Escape(grant.SourceIdentity)).Append("</SourceIdentity>\n");
        }

        xml.Append("    <AssumedRoleUser>\n")
            .Append("      <AssumedRoleId>").Append(Escape(role.SessionUserId(grant.SessionName))).Append("</AssumedRoleId>\n")
            .Append("      <Arn>").Append(Escape(role.SessionArn(grant.SessionName))).Append("</Arn>\n")
            .Append("    </AssumedRoleUser>\n")
            .Append("    <Credentials>\n")
            .Append("      <AccessKeyId>").Append(credentials.AccessKeyId).Append("</AccessKeyId>\n")
            .Append("      <SecretAccessKey>").Append(Escape(credentials.SecretAccessKey)).Append("</SecretAccessKey>\n")
            .Append("      <SessionToken>").Append(Escape(credentials.SessionToken)).Append("</SessionToken>\n")
            .Append("      <Expiration>").Append(Timestamp(credentials.Expiration)).Append("</Expiration>\n")
            .Append("    </Credentials>\n");

        // STS reports the packed size only when session policies (or tags) were passed.
        if (grant.PackedPolicySize is { } packedPolicySize)
        {
            xml.Append("    <PackedPolicySize>").Append(packedPolicySize.ToString(CultureInfo.InvariantCulture)).Append("</PackedPolicySize>\n");
        }

        return xml.Append("  </AssumeRoleResult>\n")
            .Append(ResponseMetadata(requestId))
            .Append("</AssumeRoleResponse>\n")
            .ToString();
    }

    public static string GetCallerIdentityResponse(string requestId, StsCaller caller) =>
        new StringBuilder(512)
            .Append("<GetCallerIdentityResponse xmlns=\"").Append(Namespace).Append("\">\n")
            .Append("  <GetCallerIdentityResult>\n")
            .Append("    <Arn>").Append(Escape(caller.Arn)).Append("</Arn>\n")
            .Append("    <UserId>").Append(Escape(caller.UserId)).Append("</UserId>\n")
            .Append("    <Account>").Append(caller.AccountId).Append("</Account>\n")
            .Append("  </GetCallerIdentityResult>\n")
            .Append(ResponseMetadata(requestId))
            .Append("</GetCallerIdentityResponse>\n")
            .ToString();

    public static string ErrorResponse(string requestId, StsError error) =>
        new StringBuilder(512)
            .Append("<ErrorResponse xmlns=\"").Append(Namespace).Append("\">\n")
            .Append("  <Error>\n")
            .Append("    <Type>").Append(error.FaultType).Append("</Type>\n")
            .Append("    <Code>").Append(Escape(error.Code)).Append("</Code>\n")
            .Append("    <Message>").Append(Escape(error.Message)).Append("</Message>\n")
            .Append("  </Error>\n")
            .Append("  <RequestId>").Append(requestId).Append("</RequestId>\n")
            .Append("</ErrorResponse>\n")
            .ToString();

    /// <summary>ISO 8601 in UTC with a trailing Z and whole seconds, as STS writes Expiration.</summary>
    public static string Timestamp(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string ResponseMetadata(string requestId) =>
        $"  <ResponseMetadata>\n    <RequestId>{requestId}</RequestId>\n  </ResponseMetadata>\n";

    // Messages echo what the caller sent; characters XML 1.0 cannot carry would make the SDK's parser fail.
    private static string Escape(string text)
    {
        var escaped = SecurityElement.Escape(text);
        return escaped.All(IsXmlCharacter) ? escaped : string.Concat(escaped.Select(c => IsXmlCharacter(c) ? c : '\uFFFD'));
    }

    private static bool IsXmlCharacter(char c) => XmlConvert.IsXmlChar(c) || char.IsSurrogate(c);
}
