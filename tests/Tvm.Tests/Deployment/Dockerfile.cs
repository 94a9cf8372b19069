using System.Text.RegularExpressions;

namespace Tvm.Tests.Deployment;

/// <summary>The instructions of the repository's Dockerfile, with continuation lines joined and comments dropped.</summary>
internal sealed partial class Dockerfile
{
    private Dockerfile(IReadOnlyList<DockerInstruction> instructions) => Instructions = instructions;

    public IReadOnlyList<DockerInstruction> Instructions { get; }

    /// <summary>The instructions from the last FROM on: what the shipped image is made of.</summary>
    public IReadOnlyList<DockerInstruction> FinalStage =>
        Instructions.Skip(Instructions.ToList().FindLastIndex(i => i.Keyword == "FROM")).ToList();

    public static Dockerfile Load() => Parse(RepositoryPaths.ReadAllText("Dockerfile"));

    public static Dockerfile Parse(string text)
    {
        var instructions = new List<DockerInstruction>();
        var pending = "";
        foreach (var rawLine in text.Split('\n'))
        {
            var line = rawLine.TrimEnd('\r');
            if (line.TrimStart().StartsWith('#'))
            {
                continue;
            }

            if (line.EndsWith('\\'))
            {
                pending += line[..^1] + " ";
                continue;
            }

            var joined = (pending + line).Trim();
            pending = "";
            if (joined.Length == 0)
            {
                continue;
            }

            var split = joined.IndexOf(' ', StringComparison.Ordinal);
            instructions.Add(split < 0
                ? new DockerInstruction(joined.ToUpperInvariant(), "")
                : new DockerInstruction(joined[..split].ToUpperInvariant(), joined[(split + 1)..].Trim()));
        }

        return new Dockerfile(instructions);
    }

    /// <summary>Variables an ENV instruction of the final stage sets (KEY=value form).</summary>
    public IReadOnlyDictionary<string, string> FinalEnvironment()
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var instruction in FinalStage.Where(i => i.Keyword == "ENV"))
        {
            foreach (Match pair in EnvPair().Matches(instruction.Arguments))
            {
                environment[pair.Groups["key"].Value] = pair.Groups["value"].Value.Trim('"');
            }
        }

        return environment;
    }

    [GeneratedRegex("""(?<key>[A-Za-z_][A-Za-z0-9_]*)=(?<value>"[^"]*"|\S*)""")]
    private static partial Regex EnvPair();
}

internal sealed record DockerInstruction(string Keyword, string Arguments);
