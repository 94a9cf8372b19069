namespace Tvm.Infrastructure.Templating.Jinja;

/// <summary>What Jinja2 accepts but policy templates do not, each with what to write instead.</summary>
internal static class Refusals
{
    private static readonly Dictionary<string, string> Tags = new(StringComparer.Ordinal)
    {
        ["macro"] = "macros are not supported in policy templates; repeat the text or loop over a list",
        ["call"] = "`{% call %}` blocks are not supported in policy templates",
        ["include"] = "`{% include %}` is not supported: a policy template is one self-contained file",
        ["import"] = "`{% import %}` is not supported: a policy template is one self-contained file",
        ["from"] = "`{% from … import %}` is not supported: a policy template is one self-contained file",
        ["extends"] = "`{% extends %}` is not supported: a policy template is one self-contained file",
        ["block"] = "`{% block %}` is not supported: a policy template is one self-contained file",
        ["filter"] = "`{% filter %}` blocks are not supported; write `{% set x %}…{% endset %}{{ x | filter }}`",
        ["autoescape"] = "`{% autoescape %}` is not supported: policy templates render JSON, never HTML",
        ["do"] = "`{% do %}` is a Jinja2 extension policy templates do not enable; write `{% set _ = … %}`",
        ["break"] = "`{% break %}` is a Jinja2 extension policy templates do not enable; filter the loop with `{% for x in xs if … %}`",
        ["continue"] = "`{% continue %}` is a Jinja2 extension policy templates do not enable; filter the loop with `{% for x in xs if … %}`",
        ["trans"] = "`{% trans %}` is a Jinja2 extension policy templates do not enable",
        ["debug"] = "`{% debug %}` is a Jinja2 extension policy templates do not enable",
        ["elsif"] = "`{% elsif %}` is Liquid; write `{% elif … %}`",
        ["assign"] = "`{% assign %}` is Liquid; write `{% set x = … %}`",
        ["comment"] = "`{% comment %}` is Liquid; write `{# … #}`",
        ["endcomment"] = "`{% endcomment %}` is Liquid; write `{# … #}`",
        ["capture"] = "`{% capture %}` is Liquid; write `{% set x %}…{% endset %}`",
        ["unless"] = "`{% unless %}` is Liquid; write `{% if not … %}`",
        ["case"] = "`{% case %}` is Liquid; write `{% if … %}{% elif … %}{% endif %}`",
        ["when"] = "`{% when %}` is Liquid; write `{% elif x == … %}`",
        ["increment"] = "`{% increment %}` is Liquid; use `loop.index` or `{% set %}`",
        ["decrement"] = "`{% decrement %}` is Liquid; use `loop.revindex` or `{% set %}`",
        ["cycle"] = "`{% cycle %}` is Liquid; write `{{ loop.cycle('a', 'b') }}`",
        ["tablerow"] = "`{% tablerow %}` is Liquid; write `{% for %}`",
        ["echo"] = "`{% echo %}` is Liquid; write `{{ … }}`",
        ["render"] = "`{% render %}` is Liquid and not supported: a policy template is one self-contained file",
        ["liquid"] = "`{% liquid %}` is Liquid and not supported",
    };

    private static readonly Dictionary<string, string> Names = new(StringComparer.Ordinal)
    {
        ["nil"] = "`nil` is Liquid; write `None`",
        ["forloop"] = "`forloop` is Liquid; write `loop` (`loop.index`, `loop.first`, `loop.last`, …)",
        ["lipsum"] = "lipsum() is not supported in policy templates",
        ["cycler"] = "cycler() is not supported in policy templates; write `loop.cycle(…)`",
        ["joiner"] = "joiner() is not supported in policy templates; write `{% if not loop.last %},{% endif %}`",
        ["self"] = "`self` (blocks) is not supported in policy templates",
        ["super"] = "`super()` (blocks) is not supported in policy templates",
    };

    public static string ForTag(string tag, string? enclosing)
    {
        if (Tags.TryGetValue(tag, out var message))
        {
            return message;
        }

        return tag.StartsWith("end", StringComparison.Ordinal) || tag is "elif" or "else"
            ? $"Encountered unknown tag '{tag}'" + (enclosing is null ? "." : $"; the innermost block that needs to be closed is '{enclosing}'.")
            : $"Encountered unknown tag '{tag}'.";
    }

    /// <summary>A global name used in a way TVM does not evaluate: refused now rather than rendered differently.</summary>
    public static void CheckName(Token name)
    {
        if (Names.TryGetValue(name.Text, out var message))
        {
            throw new JinjaSyntaxException(message, name.Position);
        }
    }
}

/// <summary>The Liquid spellings the previous engine accepted, with their Jinja2 equivalents.</summary>
internal static class LiquidHints
{
    public const string Range = "`(a..b)` ranges are Liquid; write `range(a, b + 1)`";

    private static readonly Dictionary<string, string> FilterHints = new(StringComparer.Ordinal)
    {
        ["upcase"] = "`upcase` is Liquid; write `upper`",
        ["downcase"] = "`downcase` is Liquid; write `lower`",
        ["size"] = "`size` is Liquid; write `length`",
        ["strip"] = "`strip` is Liquid; write `trim`",
        ["lstrip"] = "`lstrip` is Liquid; write `x.lstrip()`",
        ["rstrip"] = "`rstrip` is Liquid; write `x.rstrip()`",
        ["append"] = "`append` is Liquid; write `x ~ \"suffix\"`",
        ["prepend"] = "`prepend` is Liquid; write `\"prefix\" ~ x`",
        ["contains"] = "`contains` is Liquid; write `needle in haystack`",
        ["object.to_json"] = "`object.to_json` is Liquid; write `tojson`",
        ["to_json"] = "`to_json` is Liquid; write `tojson`",
        ["json"] = "`json` is not a Jinja2 filter; write `tojson`",
        ["split"] = "`split` is Liquid; write `x.split(\",\")`",
        ["remove"] = "`remove` is Liquid; write `replace(\"text\", \"\")`",
        ["uniq"] = "`uniq` is Liquid; write `unique`",
        ["compact"] = "`compact` is Liquid; write `select`",
        ["where"] = "`where` is Liquid; write `selectattr(\"key\", \"equalto\", value)`",
        ["plus"] = "`plus` is Liquid; write `+`",
        ["minus"] = "`minus` is Liquid; write `-`",
        ["times"] = "`times` is Liquid; write `*`",
        ["divided_by"] = "`divided_by` is Liquid; write `//` or `/`",
        ["modulo"] = "`modulo` is Liquid; write `%`",
        ["ceil"] = "`ceil` is Liquid; write `round(method='ceil')`",
        ["floor"] = "`floor` is Liquid; write `round(method='floor')`",
        ["at_least"] = "`at_least` is Liquid; write `[x, n] | max`",
        ["at_most"] = "`at_most` is Liquid; write `[x, n] | min`",
        ["url_encode"] = "`url_encode` is Liquid; write `urlencode`",
        ["truncatewords"] = "`truncatewords` is Liquid; write `truncate`",
        ["concat"] = "`concat` is Liquid; write `list1 + list2`",
        ["object.eval"] = "`object.eval` is not supported in policy templates",
        ["object.eval_template"] = "`object.eval_template` is not supported in policy templates",
    };

    public static string? ForFilter(string name) => FilterHints.GetValueOrDefault(name);

    public static string ForFilterArguments(string name)
    {
        var rename = FilterHints.TryGetValue(name, out var hint) ? $"; {hint}" : "";
        return $"`{name}: …` is Liquid filter syntax; write `{name}(…)` with the arguments in parentheses{rename}";
    }

    /// <summary>Appended to a syntax error at a token that looks like Liquid.</summary>
    public static string ForToken(Token token) => token switch
    {
        { Kind: TokenKind.Name, Text: "contains" } => "; `a contains b` is Liquid: write `b in a`",
        { Kind: TokenKind.Name, Text: "elsif" } => "; `elsif` is Liquid: write `elif`",
        { Kind: TokenKind.Operator, Text: ":" } => "; `filter: args` is Liquid: write `filter(args)`",
        _ => "",
    };
}
