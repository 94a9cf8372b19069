namespace Tvm.Tests.Deployment;

/// <summary>An IAM policy document, reduced to what the deployment tests compare.</summary>
internal sealed record IamPolicy(string Version, IReadOnlyList<IamStatement> Statements)
{
    public static IamPolicy Load(string relativePath) => Parse(RepositoryPaths.ReadAllText(relativePath));

    public static IamPolicy Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var version = root.TryGetProperty(nameof(Version), out var v) ? v.GetString() ?? "" : "";
        var statement = root.GetProperty("Statement");
        var statements = statement.ValueKind == JsonValueKind.Array
            ? statement.EnumerateArray().Select(IamStatement.From).ToList()
            : [IamStatement.From(statement)];
        return new IamPolicy(version, statements);
    }
}

internal sealed record IamStatement(
    string Sid,
    string Effect,
    IReadOnlyList<string> Actions,
    IReadOnlyList<string> Resources,
    IReadOnlyDictionary<string, IReadOnlyList<string>> Principals,
    string Condition,
    bool UsesNegation)
{
    public static IamStatement From(JsonElement element)
    {
        var principals = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        if (element.TryGetProperty("Principal", out var principal) && principal.ValueKind == JsonValueKind.Object)
        {
            foreach (var kind in principal.EnumerateObject())
            {
                principals[kind.Name] = Strings(kind.Value);
            }
        }

        return new IamStatement(
            element.TryGetProperty(nameof(Sid), out var sid) ? sid.GetString() ?? "" : "",
            element.GetProperty(nameof(Effect)).GetString() ?? "",
            element.TryGetProperty("Action", out var action) ? Strings(action) : [],
            element.TryGetProperty("Resource", out var resource) ? Strings(resource) : [],
            principals,
            element.TryGetProperty(nameof(Condition), out var condition) ? condition.GetRawText() : "",
            element.TryGetProperty("NotAction", out _) || element.TryGetProperty("NotResource", out _) || element.TryGetProperty("NotPrincipal", out _));
    }

    private static List<string> Strings(JsonElement value) => value.ValueKind == JsonValueKind.Array
        ? value.EnumerateArray().Select(item => item.GetString() ?? "").ToList()
        : [value.GetString() ?? ""];
}
