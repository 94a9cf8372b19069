using System.Text;
using Tvm.Infrastructure.Kubernetes;
using Tvm.Infrastructure.Templating;
using Tvm.Tests.Deployment;

namespace Tvm.Tests.Infrastructure.Templating;

/// <summary>
/// Thousands of corpus templates mutated at random (deterministic seed): parsing either succeeds or throws
/// <see cref="PolicyTemplateException"/>, rendering either succeeds or throws <see cref="PolicyRenderException"/>;
/// nothing else escapes and nothing hangs.
/// </summary>
public sealed class FuzzTests
{
    private const int Cases = 4000;
    private static readonly TimeSpan PerCase = TimeSpan.FromSeconds(10);

    private static readonly string[] Fragments =
    [
        "{{", "}}", "{%", "%}", "{#", "#}", "{%-", "-%}", "{{-", "-}}", "|", "(", ")", "[", "]", "{", "}", "'", "\"", ",", ":",
        ".", "~", "+", "-", "*", "**", "/", "//", "%", "==", "!=", "<", ">=", "=", " if ", " else ", " elif ", " endif ",
        " for ", " in ", " endfor ", " not ", " and ", " or ", " is ", " defined ", " set ", " endset ", " raw ", " endraw ",
        " with ", " endwith ", "loop.", "loop.cycle(", "range(", "dict(", "| upper", "| join(',')", "| map(", "| select(",
        "| tojson", "| default(", "| sort(attribute='a')", "| batch(0)", "| slice(0)", "| format(", "| round(", "| int",
        "namespace", "pod_name", "node_name", ".items()", ".split(", ".append(", "None", "True", "1e308", "0", "-1",
        "999999999999999999999", "1.5", "\\", "\n", " ", "\\u12", "\\x", "[::-1]", "[1:", "%s", "%(a)s", "%*d",
    ];

    [Fact]
    public async Task Mutated_templates_fail_only_with_policy_exceptions_and_never_hang()
    {
        var corpus = Directory.GetFiles(RepositoryPaths.Of("tests/Tvm.Tests/Infrastructure/Templating/Corpus/templates"), "*.j2")
            .Order(StringComparer.Ordinal).Select(File.ReadAllText).ToList();
        WorkloadIdentity[] identities =
        [
            new("payments", "api", "uid-1", "api-7d9f", "pod-uid-1", "node-a"),
            new("team-a", "worker", "uid-2"),
            new("default", "default"),
        ];
        var random = new Random(20240531);
        var outcomes = new Dictionary<string, int>();
        for (var i = 0; i < Cases; i++)
        {
            var source = Mutate(corpus[random.Next(corpus.Count)], random);
            var identity = identities[i % identities.Length];
            var cancellation = TestContext.Current.CancellationToken;
            string outcome;
            try
            {
                outcome = await Task.Run(() => Outcome(source, identity), cancellation).WaitAsync(PerCase, cancellation);
            }
            catch (TimeoutException)
            {
                throw new Xunit.Sdk.XunitException($"case {i} did not finish within {PerCase}:\n{source}");
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                throw new Xunit.Sdk.XunitException($"case {i} threw {e.GetType().Name}: {e.Message}\n{source}\n{e.StackTrace}");
            }

            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
        }

        // The mutations must exercise all three paths, or the test proves little.
        outcomes.Keys.Should().Contain(["refused at parse", "failed to render", "rendered"]);
    }

    private static string Outcome(string source, WorkloadIdentity identity)
    {
        PolicyTemplate template;
        try
        {
            template = PolicyTemplate.Parse(source, "fuzz.json");
        }
        catch (PolicyTemplateException)
        {
            return "refused at parse";
        }

        try
        {
            template.RenderText(identity);
            template.Render(identity);
            return "rendered";
        }
        catch (PolicyRenderException)
        {
            return "failed to render";
        }
    }

    private static string Mutate(string source, Random random)
    {
        var text = new StringBuilder(source);
        var mutations = random.Next(1, 5);
        for (var m = 0; m < mutations; m++)
        {
            var at = random.Next(text.Length + 1);
            switch (random.Next(5))
            {
                case 0:
                    text.Remove(at, Math.Min(random.Next(1, 12), text.Length - at));
                    break;
                case 1:
                    var length = Math.Min(random.Next(1, 40), text.Length - at);
                    text.Insert(at, text.ToString(at, length));
                    break;
                case 2:
                    text.Insert(at, Fragments[random.Next(Fragments.Length)]);
                    break;
                case 3:
                    text.Insert(at, (char)random.Next(32, 127));
                    break;
                default:
                    // Swap a tag's body with another one from the same template.
                    var from = random.Next(text.Length + 1);
                    var piece = text.ToString(Math.Min(from, text.Length), Math.Min(random.Next(1, 60), text.Length - Math.Min(from, text.Length)));
                    text.Insert(at, piece);
                    break;
            }
        }

        return text.ToString();
    }
}
