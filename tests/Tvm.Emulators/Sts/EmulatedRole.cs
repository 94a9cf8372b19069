using System.Security.Cryptography;

namespace Tvm.Emulators.Sts;

/// <summary>The one IAM role the emulator knows, and the names AWS derives from it for a session.</summary>
internal sealed class EmulatedRole(string accountId, string name)
{
    public string AccountId { get; } = accountId;

    public string Name { get; } = name;

    public string Arn { get; } = $"arn:aws:iam::{accountId}:role/{name}";

    /// <summary>Unique role id as IAM shows it: "AROA" and 17 characters, fixed for the emulator's lifetime.</summary>
    public string RoleId { get; } = "AROA" + RandomNumberGenerator.GetString(IdAlphabet, 17);

    /// <summary>Whether the role's trust policy allows the caller <c>sts:TagSession</c>, which passing session tags requires.</summary>
    public bool TrustAllowsTagSession
    {
        get => Volatile.Read(ref _trustAllowsTagSession);
        set => Volatile.Write(ref _trustAllowsTagSession, value);
    }

    private bool _trustAllowsTagSession = true;

    internal const string IdAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    public string SessionArn(string sessionName) => $"arn:aws:sts::{AccountId}:assumed-role/{Name}/{sessionName}";

    public string SessionUserId(string sessionName) => $"{RoleId}:{sessionName}";
}
