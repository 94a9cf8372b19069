using Tvm.Infrastructure.Templating;

namespace Tvm.Tests.Unit;

public sealed class JinjaSyntaxTests
{
    [Theory]
    [InlineData("plain {\"json\": true}", "plain {\"json\": true}")]
    [InlineData("{% elif x %}", "{% elsif x %}")]
    [InlineData("{%- elif x -%}", "{%- elsif x -%}")]
    [InlineData("{% set a = 1 %}", "{% assign a = 1 %}")]
    [InlineData("{{ x | replace('a', 'b') }}", "{{ x | replace: 'a', 'b' }}")]
    [InlineData("{{ x | upper() }}", "{{ x | upper }}")]
    [InlineData("{{ 'loop.last | f(1)' }}", "{{ 'loop.last | f(1)' }}")]
    [InlineData("{% if loop.last %}", "{% if forloop.last %}")]
    [InlineData("{{ looped.last }}", "{{ looped.last }}")]
    [InlineData("{{ None }}", "{{ nil }}")]
    [InlineData("a {# one\ntwo #} b", "a {% comment %}\n{% endcomment %} b")]
    [InlineData("{\"unclosed\": \"{{ x\"}", "{\"unclosed\": \"{{ x\"}")]
    public void Translates_only_inside_tags(string jinja, string liquid)
    {
        JinjaSyntax.ToLiquid(jinja).Should().Be(liquid);
    }

    [Fact]
    public void Keeps_line_count()
    {
        const string source = "{\n{# a\nb\nc #}\n\"x\": \"{{ y | default('z') }}\"\n}";
        JinjaSyntax.ToLiquid(source).Count(c => c == '\n').Should().Be(source.Count(c => c == '\n'));
    }
}
