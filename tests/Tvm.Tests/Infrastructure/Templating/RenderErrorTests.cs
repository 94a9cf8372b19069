using Tvm.Infrastructure.Kubernetes;
using Tvm.Infrastructure.Templating;

namespace Tvm.Tests.Infrastructure.Templating;

/// <summary>Where Jinja2 raises at render time, and where a safety limit is hit: a clear <see cref="PolicyRenderException"/>.</summary>
public sealed class RenderErrorTests
{
    private static readonly WorkloadIdentity Legacy = new("team-a", "worker", "sa-uid");

    private static string RenderError(string source)
    {
        var template = PolicyTemplate.Parse(source, "t.json");
        var render = () => template.RenderText(Legacy);
        return render.Should().Throw<PolicyRenderException>().Which.Message;
    }

    [Theory]
    [InlineData("{{ pod_name.split('-') }}", "UndefinedError: 'pod_name' is undefined (line 1, column 4)")]
    [InlineData("x\n{{ pod_name['a'] }}", "UndefinedError: 'pod_name' is undefined (line 2, column 4)")]
    [InlineData("{{ undefined_thing() }}", "UndefinedError: 'undefined_thing' is undefined")]
    [InlineData("{{ pod_name + 'x' }}", "UndefinedError: 'pod_name' is undefined")]
    [InlineData("{{ pod_name | int }}", "UndefinedError: 'pod_name' is undefined")]
    [InlineData("{{ namespace.missing.deeper }}", "UndefinedError: 'str object' has no attribute 'missing'")]
    [InlineData("{{ 'a' < 1 }}", "TypeError: '<' not supported between instances of 'str' and 'int'")]
    [InlineData("{{ [1, 'a'] | sort }}", "TypeError: '<' not supported between instances of")]
    [InlineData("{{ 'a' + 1 }}", "TypeError: can only concatenate str (not \"int\") to str")]
    [InlineData("{{ 1 + 'a' }}", "TypeError: unsupported operand type(s) for +: 'int' and 'str'")]
    [InlineData("{{ 1 / 0 }}", "ZeroDivisionError: division by zero")]
    [InlineData("{{ 1 // 0 }}", "ZeroDivisionError: integer division or modulo by zero")]
    [InlineData("{{ 1.5 % 0 }}", "ZeroDivisionError: float modulo")]
    [InlineData("{{ 1 in 'abc' }}", "TypeError: 'in <string>' requires string as left operand, not int")]
    [InlineData("{{ 3 | length }}", "TypeError: object of type 'int' has no len()")]
    [InlineData("{% for x in 3 %}{% endfor %}", "TypeError: 'int' object is not iterable")]
    [InlineData("{% set a, b = [1] %}", "ValueError: not enough values to unpack (expected 2, got 1)")]
    [InlineData("{{ '%d' % 'x' }}", "TypeError: %d format: a real number is required, not str")]
    [InlineData("{{ '%s %s' % ('a',) }}", "TypeError: not enough arguments for format string")]
    [InlineData("{{ namespace() }}", "TypeError: 'str' object is not callable")]
    [InlineData("{{ pod_name | tojson }}", "TypeError: Object of type Undefined is not JSON serializable")]
    [InlineData("{{ 'x' | truncate(1) }}", "AssertionError: expected length >= 3, got 1")]
    [InlineData("{{ {'a': 1} | dictsort(by='size') }}", "You can only sort by either \"key\" or \"value\"")]
    [InlineData("{{ namespace.zfill(9) }}", "the Python attribute `str.zfill` is not supported")]
    [InlineData("{{ namespace.__class__ }}", "Python internals such as `__class__` are not available")]
    [InlineData("{{ [1, 2] | map('upper') }}", "cannot print a generator (Jinja2 prints its memory address); add `| list`")]
    [InlineData("{{ [1, 2] | reverse }}", "cannot print a reversed")]
    [InlineData("{{ range }}", "cannot print a builtin_function_or_method")]
    [InlineData("{{ 'x' is sameas 'x' }}", "`sameas` on numbers and strings depends on Python's object identity")]
    [InlineData("{{ range(1, 2, 0) }}", "ValueError: range() arg 3 must not be zero")]
    public void Jinja2_render_errors_are_policy_render_errors(string source, string message)
    {
        RenderError(source).Should().StartWith("The policy template failed to render: ").And.Contain(message);
    }

    [Theory]
    [InlineData("{% for i in range(1001) %}{% endfor %}", "more than 1000 loop iterations")]
    [InlineData("{% for i in range(40) %}{% for j in range(40) %}{% endfor %}{% endfor %}", "more than 1000 loop iterations")]
    [InlineData("{% for i in range(1000) %}{{ 'x' * 100 }}{% endfor %}", "rendered more than 64 KiB")]
    [InlineData("{% set x %}{% for i in range(1000) %}{{ 'x' * 100 }}{% endfor %}{% endset %}", "rendered more than 64 KiB")]
    [InlineData("{{ 'x' * 100000 }}", "a value of 100000 characters; policy templates allow at most 65536")]
    [InlineData("{% set l = ['ab'] %}{% for i in range(20) %}{% set _ = l.append(l[-1] ~ l[-1]) %}{% endfor %}", "policy templates allow at most 65536")]
    [InlineData("{{ range(100000) | length }}", "range() of 100000 numbers; policy templates allow at most 10000")]
    [InlineData("{{ [0] * 20000 }}", "a list of 20000 items; policy templates allow at most 10000")]
    [InlineData("{{ 2 ** 100000 }}", "an integer of more than 4096 bits")]
    [InlineData("{% set a = [] %}{% set _ = a.append(a) %}{% set b = [] %}{% set _ = b.append(b) %}{{ a == b }}", "RecursionError")]
    public void Limits_fail_the_render_instead_of_truncating_it(string source, string message)
    {
        RenderError(source).Should().Contain(message);
    }

    [Fact]
    public void A_self_containing_list_prints_as_python_does()
    {
        var template = PolicyTemplate.Parse("{% set l = [1] %}{% set _ = l.append(l) %}{{ l }}", "t.json");
        template.RenderText(Legacy).Should().Be("[1, [...]]");
    }
}
