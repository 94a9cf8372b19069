using Scriban;
using Scriban.Functions;
using Scriban.Runtime;
using Scriban.Syntax;

namespace Tvm.Infrastructure.Templating;

/// <summary>
/// A read-only global scope pushed under every render. It shadows the built-ins a policy template has no
/// business calling (includes read files, <c>object.eval</c> runs arbitrary script) and adds the Jinja2 filter
/// names that Liquid spells differently. Shared across renders: nothing in it can be changed.
/// </summary>
internal static class SafeTemplateFunctions
{
    private static readonly string[] ForbiddenObjectFunctions = ["eval", "eval_template"];

    public static ScriptObject Instance { get; } = Create();

    private static ScriptObject Create()
    {
        var globals = new ScriptObject();
        globals.Import(typeof(DisabledFunctions));

        var builtIn = new ObjectFunctions();
        var safeObject = new ScriptObject();
        foreach (var member in builtIn.GetMembers().Where(m => !ForbiddenObjectFunctions.Contains(m)))
        {
            safeObject.SetValue(member, builtIn[member], readOnly: true);
        }

        safeObject.IsReadOnly = true;
        globals.SetValue("object", safeObject, readOnly: true);

        globals.Import("upper", new Func<string?, string>(value => (value ?? "").ToUpperInvariant()));
        globals.Import("lower", new Func<string?, string>(value => (value ?? "").ToLowerInvariant()));
        globals.Import("trim", new Func<string?, string>(value => (value ?? "").Trim()));
        globals.Import("length", new Func<object?, int>(Length));
        globals.Import("tojson", new Func<object?, string>(ToJson));

        // Liquid has no `not`; as a function it reads like Jinja2's `{% if not loop.last %}`.
        globals.Import("not", new Func<object?, bool>(value => !IsTruthy(value)));
        globals.IsReadOnly = true;
        return globals;
    }

    /// <summary>Imported under their snake_case names (<c>include</c>, <c>include_join</c>), shadowing the built-ins.</summary>
    private static class DisabledFunctions
    {
        public static object Include(TemplateContext context, params object[] arguments) =>
            throw new ScriptRuntimeException(context.CurrentSpan, "Includes are disabled in policy templates.");

        public static object IncludeJoin(TemplateContext context, params object[] arguments) =>
            throw new ScriptRuntimeException(context.CurrentSpan, "Includes are disabled in policy templates.");
    }

    /// <summary>Jinja2's truthiness: empty strings and collections and zero are false too.</summary>
    private static bool IsTruthy(object? value) => value switch
    {
        null => false,
        bool flag => flag,
        string text => text.Length > 0,
        System.Collections.ICollection collection => collection.Count > 0,
        int number => number != 0,
        long number => number != 0,
        double number => number != 0,
        _ => true,
    };

    private static int Length(object? value) => value switch
    {
        null => 0,
        string text => text.Length,
        System.Collections.ICollection collection => collection.Count,
        System.Collections.IEnumerable sequence => sequence.Cast<object?>().Count(),
        _ => 0,
    };

    private static string ToJson(object? value) => value switch
    {
        null => "null",
        string text => JsonSerializer.Serialize(text),
        bool flag => flag ? "true" : "false",
        int or long or double or decimal or float => JsonSerializer.Serialize(value),
        System.Collections.IEnumerable sequence => JsonSerializer.Serialize(sequence.Cast<object?>().Select(item => item?.ToString())),
        _ => JsonSerializer.Serialize(value.ToString()),
    };
}
