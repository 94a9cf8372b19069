using Tvm.Infrastructure.Kubernetes;
using Tvm.Infrastructure.Templating;

namespace Tvm.Tests.Infrastructure.Templating;

public sealed class PolicyTemplateTests
{
    private static readonly WorkloadIdentity Api = new("api", "web", "sa-uid-1", "web-7d9f", "pod-uid-1", "node-a");
    private static readonly WorkloadIdentity Production = new("production", "billing");
    private static readonly WorkloadIdentity Plain = new("team-a", "worker");

    private static string Render(string source, WorkloadIdentity identity) =>
        PolicyTemplate.Parse(source, "test.json").Render(identity).Json;

    /// <summary>Each form inside a JSON string value, so that the rendered policy stays valid JSON.</summary>
    public static TheoryData<string, WorkloadIdentity, string> JinjaForms => new()
    {
        { "{{ namespace }}", Api, "api" },
        { "{{namespace}}/{{ serviceaccount }}", Api, "api/web" },
        { "{{ pod_name }}|{{ pod_uid }}|{{ node_name }}|{{ serviceaccount_uid }}", Api, "web-7d9f|pod-uid-1|node-a|sa-uid-1" },
        { "[{{ pod_name }}]", Plain, "[]" },
        { "{% if namespace == \"production\" %}P{% elif namespace == \"api\" %}A{% else %}O{% endif %}", Api, "A" },
        { "{% if namespace == \"production\" %}P{% elif namespace == \"api\" %}A{% else %}O{% endif %}", Production, "P" },
        { "{% if namespace == \"production\" %}P{% elif namespace == \"api\" %}A{% else %}O{% endif %}", Plain, "O" },
        { "{% if namespace == 'api' and serviceaccount != 'db' %}yes{% endif %}", Api, "yes" },
        { "{% if namespace == 'api' or namespace == 'x' %}yes{% else %}no{% endif %}", Plain, "no" },
        { "{% for p in ['a', 'b', 'c'] %}{{ p }}{% if not loop.last %},{% endif %}{% endfor %}", Api, "a,b,c" },
        { "{% for p in ['a', 'b', 'c'] %}{{ p }}{% if loop.last %}.{% else %},{% endif %}{% endfor %}", Api, "a,b,c." },
        { "{% for p in ['a', 'b'] %}{{ loop.index }}{{ loop.first }}{% endfor %}", Api, "1True2False" },
        { "a{# a comment {{ namespace }} #}b", Api, "ab" },
        { "a {%- if true -%} b {%- endif -%} c", Api, "abc" },
        { "{{- namespace -}}", Api, "api" },
        { "{{ namespace | upper }}", Api, "API" },
        { "{{ 'MiXed' | lower }}", Api, "mixed" },
        { "{{ namespace | replace('a', 'A') }}", Api, "Api" },
        { "{{ namespace | replace(\"(\", \")\") }}", Api, "api" },
        { "{{ pod_name | default('none') }}", Plain, "none" },
        { "{{ missing_variable | default(\"fallback\") }}", Api, "fallback" },
        { "{{ ['x', 'y'] | join('+') }}", Api, "x+y" },
        { "{{ namespace | length }}", Api, "3" },
        { "{{ '  padded  ' | trim }}", Api, "padded" },
        { "{{ namespace | upper | replace('P', 'p') }}", Api, "ApI" },
        { "{% set team = 'payments' %}{{ team }}", Api, "payments" },
        { "{% if pod_name %}bound{% else %}unbound{% endif %}", Plain, "unbound" },
        { "{% if True %}t{% endif %}{% if False %}f{% endif %}", Api, "t" },
        { "{% if not pod_name %}unbound{% endif %}", Plain, "unbound" },
        { "{% if not namespace %}none{% else %}some{% endif %}", Api, "some" },
    };

    [Theory]
    [MemberData(nameof(JinjaForms))]
    public void Renders_jinja2_forms(string form, WorkloadIdentity identity, string expected)
    {
        var policy = Render($$"""{"Value": "{{form}}"}""", identity);
        JsonDocument.Parse(policy).RootElement.GetProperty("Value").GetString().Should().Be(expected);
    }

    [Fact]
    public void Tojson_emits_a_json_value()
    {
        var policy = Render("""{"Namespace": {{ namespace | tojson }}, "List": {{ ['a', 'b'] | tojson }}, "Size": {{ namespace | length | tojson }}}""", Api);
        policy.Should().Be("""{"Namespace":"api","List":["a","b"],"Size":3}""");
    }

    [Fact]
    public void Output_is_minified_json()
    {
        var policy = Render("""
            {
              "Version": "2012-10-17",
              "Statement": [ { "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bucket/{{ namespace }}/*" } ]
            }
            """, Api);

        policy.Should().Be("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/api/*"}]}""");
    }

    [Theory]
    [InlineData("{\"a\": {{ namespace }}}", "invalid JSON")]
    [InlineData("[\"{{ namespace }}\"]", "not the JSON object")]
    [InlineData("{% for i in range(5000) %}x{% endfor %}", "loop")]
    public void Render_failures_are_policy_errors(string source, string expectedDetail)
    {
        var render = () => Render(source, Api);

        var failure = render.Should().Throw<PolicyRenderException>().Which;
        failure.Message.Should().ContainEquivalentOf(expectedDetail);
    }

    [Fact]
    public void Oversized_policy_is_rejected_naming_its_size()
    {
        var statements = string.Join(",", Enumerable.Range(0, 40).Select(i =>
            $$$"""{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/{{ namespace }}/{{{i}}}"}"""));
        var render = () => Render($$"""{"Version":"2012-10-17","Statement":[{{statements}}]}""", Api);

        var failure = render.Should().Throw<PolicyRenderException>().Which;
        failure.Message.Should().MatchRegex(@"is \d{4} characters").And.Contain("2048");
    }

    [Fact]
    public void Policy_of_exactly_2048_characters_is_accepted()
    {
        const string frame = """{"Version":"2012-10-17","Pad":""}""";
        var padding = new string('p', PolicyTemplate.MaxPolicyLength - frame.Length);
        var policy = Render($$"""{"Version":"2012-10-17","Pad":"{{padding}}"}""", Api);
        policy.Length.Should().Be(PolicyTemplate.MaxPolicyLength);
    }

    [Theory]
    [InlineData("{\n  \"a\": \"{% if namespace %}\"\n}", 2)]
    [InlineData("{\n\n\n  \"a\": \"{{ namespace | }}\"\n}", 4)]
    [InlineData("{% for x in %}{% endfor %}", 1)]
    public void Parse_errors_name_the_file_line_and_column(string source, int line)
    {
        var parse = () => PolicyTemplate.Parse(source, "/etc/tvm/policy.json");

        parse.Should().Throw<PolicyTemplateException>()
            .Which.Message.Should().Contain($"/etc/tvm/policy.json({line},");
    }

    [Fact]
    public void Load_reports_a_missing_file()
    {
        var load = () => PolicyTemplate.Load("/nonexistent/policy.json");
        load.Should().Throw<PolicyTemplateException>().Which.Message.Should().Contain("/nonexistent/policy.json");
    }

    [Theory]
    [InlineData("production", "billing", "ProductionParameters", "parameter/production/billing/*")]
    [InlineData("api", "web", "ApiObjects", "tvm-workloads/api/*")]
    [InlineData("team-a", "worker", "NamespaceParameters", "parameter/team-a/*")]
    public void Shipped_template_grants_each_namespace_its_own_branch(string ns, string serviceAccount, string sid, string resource)
    {
        var template = PolicyTemplate.Load(Path.Combine(AppContext.BaseDirectory, "Templates", "policy.json"));

        var policy = template.Render(new WorkloadIdentity(ns, serviceAccount)).Json;

        policy.Length.Should().BeLessThanOrEqualTo(PolicyTemplate.MaxPolicyLength);
        var statements = JsonDocument.Parse(policy).RootElement.GetProperty("Statement").EnumerateArray().ToList();
        statements.Select(s => s.GetProperty("Sid").GetString()).Should().Contain(sid);
        policy.Should().Contain(resource);
    }
}
