using Tvm.Infrastructure.Templating;

namespace Tvm.Tests.Infrastructure.Templating;

/// <summary>What the parser refuses, with the source name, line and column it reports and what it says.</summary>
public sealed class ParseErrorTests
{
    private static string ParseError(string source)
    {
        var parse = () => PolicyTemplate.Parse(source, "t.json");
        return parse.Should().Throw<PolicyTemplateException>().Which.Message;
    }

    [Theory]
    [InlineData("{% macro m() %}x{% endmacro %}", 1, 4, "macros are not supported")]
    [InlineData("{% call m() %}x{% endcall %}", 1, 4, "`{% call %}` blocks are not supported")]
    [InlineData("{\n  {% include 'other.json' %}", 2, 6, "`{% include %}` is not supported")]
    [InlineData("{% import 'm.j2' as m %}", 1, 4, "`{% import %}` is not supported")]
    [InlineData("{% from 'm.j2' import x %}", 1, 4, "`{% from … import %}` is not supported")]
    [InlineData("{% extends 'base.j2' %}", 1, 4, "`{% extends %}` is not supported")]
    [InlineData("{% block b %}{% endblock %}", 1, 4, "`{% block %}` is not supported")]
    [InlineData("{% filter upper %}x{% endfilter %}", 1, 4, "`{% filter %}` blocks are not supported")]
    [InlineData("{% autoescape true %}x{% endautoescape %}", 1, 4, "`{% autoescape %}` is not supported")]
    [InlineData("{% do x.append(1) %}", 1, 4, "`{% do %}` is a Jinja2 extension")]
    [InlineData("{% for x in y %}{% break %}{% endfor %}", 1, 20, "`{% break %}` is a Jinja2 extension")]
    [InlineData("{% for x in y %}{% continue %}{% endfor %}", 1, 20, "`{% continue %}` is a Jinja2 extension")]
    [InlineData("{% for x in y recursive %}{% endfor %}", 1, 15, "recursive loops are not supported")]
    [InlineData("{% for x in y %}{{ loop(x) }}{% endfor %}", 1, 24, "recursive loops (`loop(…)`) are not supported")]
    [InlineData("{{ lipsum() }}", 1, 4, "lipsum() is not supported")]
    [InlineData("{% set c = cycler('a', 'b') %}", 1, 12, "cycler() is not supported")]
    [InlineData("{% set j = joiner(',') %}", 1, 12, "joiner() is not supported")]
    [InlineData("{% set ns.total = 1 %}", 1, 8, "needs Jinja2's namespace()")]
    [InlineData("{{ self }}", 1, 4, "`self` (blocks) is not supported")]
    [InlineData("{{ x | escape }}", 1, 8, "HTML escaping (`escape`) is not supported")]
    [InlineData("{{ x | e }}", 1, 8, "HTML escaping (`e`) is not supported")]
    [InlineData("{{ x | safe }}", 1, 8, "`safe` marks HTML markup")]
    [InlineData("{{ x | forceescape }}", 1, 8, "`forceescape`")]
    [InlineData("{{ x | xmlattr }}", 1, 8, "`xmlattr` builds HTML markup")]
    [InlineData("{{ x | urlize }}", 1, 8, "`urlize` builds HTML markup")]
    [InlineData("{{ x | striptags }}", 1, 8, "`striptags` works on HTML markup")]
    [InlineData("{{ x | random }}", 1, 8, "`random` is not supported")]
    [InlineData("{{ x | pprint }}", 1, 8, "`pprint` is not supported")]
    [InlineData("{{ x | wordwrap(10) }}", 1, 8, "`wordwrap` is not supported")]
    [InlineData("{{ x | frobnicate }}", 1, 8, "No filter named 'frobnicate'.")]
    [InlineData("{{ x | upper | frobnicate(1) }}", 1, 16, "No filter named 'frobnicate'.")]
    [InlineData("{{ xs | map('escape') | list }}", 1, 9, "HTML escaping (`escape`) is not supported")]
    [InlineData("{{ xs | select('frobnicated') | list }}", 1, 9, "No test named 'frobnicated'.")]
    [InlineData("{% if x is escaped %}{% endif %}", 1, 12, "the `escaped` test is about HTML markup")]
    [InlineData("{% if x is frobnicated %}{% endif %}", 1, 12, "No test named 'frobnicated'.")]
    [InlineData("{{ f(*args) }}", 1, 6, "`*args` and `**kwargs` in calls are not supported")]
    [InlineData("{{ f(**kwargs) }}", 1, 6, "`*args` and `**kwargs` in calls are not supported")]
    [InlineData("{{ '\\N{BULLET}' }}", 1, 4, "\\N{...} escapes are not supported")]
    public void Refused_constructs_are_named_where_they_are(string source, int line, int column, string message)
    {
        ParseError(source).Should().StartWith($"the policy template does not parse: t.json({line},{column}): ").And.Contain(message);
    }

    [Theory]
    [InlineData("{{ namespace | upcase }}", 1, 16, "`upcase` is Liquid; write `upper`")]
    [InlineData("{{ namespace | downcase }}", 1, 16, "`downcase` is Liquid; write `lower`")]
    [InlineData("{{ names | size }}", 1, 12, "`size` is Liquid; write `length`")]
    [InlineData("{{ name | strip }}", 1, 11, "`strip` is Liquid; write `trim`")]
    [InlineData("{{ name | append: '-x' }}", 1, 17, "`append: …` is Liquid filter syntax; write `append(…)`")]
    [InlineData("{{ name | append: '-x' }}", 1, 17, "write `x ~ \"suffix\"`")]
    [InlineData("{{ name | replace: 'a', 'b' }}", 1, 18, "write `replace(…)` with the arguments in parentheses")]
    [InlineData("{{ name | default: 'v' }}", 1, 18, "write `default(…)`")]
    [InlineData("{{ names | join: ',' }}", 1, 16, "write `join(…)`")]
    [InlineData("{{ names | object.to_json }}", 1, 12, "`object.to_json` is Liquid; write `tojson`")]
    [InlineData("{{ namespace | object.eval }}", 1, 16, "`object.eval` is not supported")]
    [InlineData("{% if names contains 'a' %}{% endif %}", 1, 13, "`a contains b` is Liquid: write `b in a`")]
    [InlineData("{% for i in (1..5) %}{% endfor %}", 1, 13, "`(a..b)` ranges are Liquid; write `range(a, b + 1)`")]
    [InlineData("{% if a %}{% elsif b %}{% endif %}", 1, 14, "`{% elsif %}` is Liquid; write `{% elif … %}`")]
    [InlineData("{% assign x = 1 %}", 1, 4, "`{% assign %}` is Liquid; write `{% set x = … %}`")]
    [InlineData("{% comment %}x{% endcomment %}", 1, 4, "`{% comment %}` is Liquid; write `{# … #}`")]
    [InlineData("{% capture x %}y{% endcapture %}", 1, 4, "`{% capture %}` is Liquid")]
    [InlineData("{% unless x %}y{% endunless %}", 1, 4, "write `{% if not … %}`")]
    [InlineData("{% for x in xs %}{{ forloop.index }}{% endfor %}", 1, 21, "`forloop` is Liquid; write `loop`")]
    [InlineData("{% if x == nil %}{% endif %}", 1, 12, "`nil` is Liquid; write `None`")]
    public void Liquid_forms_are_refused_with_what_to_write_instead(string source, int line, int column, string message)
    {
        ParseError(source).Should().StartWith($"the policy template does not parse: t.json({line},{column}): ").And.Contain(message);
    }

    [Theory]
    [InlineData("{\n  \"a\": {{ namespace", 2, 20, "unexpected end of template, expected end of print statement")]
    [InlineData("{\n  \"a\": \"{% if namespace %}\"\n}", 2, 12, "`{% if %}` is never closed")]
    [InlineData("{% for x in xs %}{% if x %}{% endfor %}", 1, 31, "Encountered unknown tag 'endfor'; the innermost block that needs to be closed is 'if'.")]
    [InlineData("{% endif %}", 1, 4, "Encountered unknown tag 'endif'.")]
    [InlineData("{% frobnicate %}", 1, 4, "Encountered unknown tag 'frobnicate'.")]
    [InlineData("{{ 1 + }}", 1, 8, "unexpected 'end of print statement'")]
    [InlineData("{{ (1, 2 }}", 1, 10, "unexpected '}'")]
    [InlineData("{{ [1, 2) }}", 1, 9, "unexpected ')', expected ']'")]
    [InlineData("{{ x ! y }}", 1, 6, "unexpected char '!'")]
    [InlineData("{{ 'unterminated }}", 1, 4, "unexpected char \"'\"")]
    [InlineData("a {# never closed", 1, 3, "Missing end of comment tag")]
    [InlineData("{% raw %}never closed", 1, 1, "Missing end of raw directive")]
    [InlineData("{% for %}{% endfor %}", 1, 8, "Expected an expression")]
    [InlineData("{% for x in %}{% endfor %}", 1, 13, "Expected an expression")]
    [InlineData("{% set 1 = 2 %}", 1, 8, "can't assign to 'const'")]
    [InlineData("{{ x is defined is defined }}", 1, 17, "You cannot chain multiple tests with is")]
    [InlineData("{{ x.(1) }}", 1, 6, "expected name or number")]
    [InlineData("{{ f(a=1, 2) }}", 1, 5, "invalid syntax for function call expression")]
    [InlineData("{% if x if y else z %}{% endif %}", 1, 9, "expected token end of statement block, got 'if'")]
    [InlineData("{{ '\\x4' }}", 1, 4, "truncated \\xXX escape")]
    public void Syntax_errors_say_where_and_what(string source, int line, int column, string message)
    {
        ParseError(source).Should().StartWith($"the policy template does not parse: t.json({line},{column}): ").And.Contain(message);
    }

    [Fact]
    public void Deep_nesting_is_refused_instead_of_overflowing_the_stack()
    {
        ParseError("{{ " + new string('(', 5000) + "1" + new string(')', 5000) + " }}").Should().Contain("nests more than 64 levels");
        ParseError(string.Concat(Enumerable.Repeat("{% if x %}", 500))).Should().Contain("nests more than 64 levels");
        ParseError("{{ " + string.Concat(Enumerable.Repeat("not ", 5000)) + "x }}").Should().Contain("nests more than 64 levels");
    }
}
