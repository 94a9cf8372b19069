using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Serilog.Events;
using Tvm.Infrastructure.Configuration;

namespace Tvm.Tests.Infrastructure.Configuration;

public sealed class TvmOptionsValidatorTests
{
    private static readonly Dictionary<string, string?> Valid = new()
    {
        ["AWS_ROLE_ARN"] = "arn:aws:iam::123456789012:role/tvm-workloads",
        ["AWS_REGION"] = "eu-west-1",
        ["POLICY_TEMPLATE_PATH"] = TvmApp.ShippedTemplatePath,
        ["KUBECONFIG"] = TemplateFiles.Write("apiVersion: v1\nkind: Config\n"),
    };

    private static (TvmOptions Options, ValidateOptionsResult Result) Bind(Dictionary<string, string?> overrides)
    {
        var values = new Dictionary<string, string?>(Valid);
        foreach (var (key, value) in overrides)
        {
            values[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var options = new TvmOptions();
        new TvmOptionsBinder(configuration).Configure(options);
        return (options, new TvmOptionsValidator().Validate(null, options));
    }

    [Fact]
    public void Defaults_follow_the_contract()
    {
        var (options, result) = Bind([]);

        result.Succeeded.Should().BeTrue(result.FailureMessage);
        options.Port.Should().Be(8000);
        options.LogLevel.Should().Be(LogEventLevel.Information);
        Bind(new() { ["POLICY_TEMPLATE_PATH"] = null }).Options.PolicyTemplatePath.Should().Be("/etc/token-vending-machine/policy.json");
        options.ServesTls.Should().BeFalse();
        options.RateLimitPerIdentity.Should().Be(0);
        options.RateLimitBurst.Should().Be(1000);
        options.AuthFailuresPerMinute.Should().Be(0);
        options.MetricsPort.Should().Be(9090);
        options.ShutdownDelaySeconds.Should().Be(5);
        options.SessionDurationSeconds.Should().Be(3600);
        options.TokenAudiences.Should().BeEmpty();
        options.TokenReviewCacheSeconds.Should().Be(10);
        options.SessionTags.Should().BeEmpty();
    }

    [Theory]
    [InlineData("AWS_ROLE_ARN", "", "AWS_ROLE_ARN is required")]
    [InlineData("AWS_ROLE_ARN", "tvm-workloads", "AWS_ROLE_ARN is not an IAM role ARN")]
    [InlineData("AWS_ROLE_ARN", "arn:aws:iam::1234:role/x", "AWS_ROLE_ARN is not an IAM role ARN")]
    [InlineData("AWS_ROLE_ARN", "arn:aws:iam::123456789012:user/x", "AWS_ROLE_ARN is not an IAM role ARN")]
    [InlineData("AWS_REGION", "", "AWS_REGION is required")]
    [InlineData("AWS_REGION", "Europe", "AWS_REGION is not an AWS region")]
    [InlineData("PORT", "0", "PORT must be between 1 and 65535")]
    [InlineData("PORT", "65536", "PORT must be between 1 and 65535")]
    [InlineData("PORT", "http", "PORT must be a whole number")]
    [InlineData("SESSION_DURATION_SECONDS", "10", "SESSION_DURATION_SECONDS must be between 900 and 43200")]
    [InlineData("SESSION_DURATION_SECONDS", "43201", "SESSION_DURATION_SECONDS must be between 900 and 43200")]
    [InlineData("SESSION_DURATION_SECONDS", "1h", "SESSION_DURATION_SECONDS must be a whole number")]
    [InlineData("LOG_LEVEL", "LOUD", "LOG_LEVEL must be one of")]
    [InlineData("TOKEN_REVIEW_CACHE_SECONDS", "-1", "TOKEN_REVIEW_CACHE_SECONDS must be 0")]
    [InlineData("UPSTREAM_TIMEOUT_SECONDS", "0", "UPSTREAM_TIMEOUT_SECONDS must be between 1 and 30")]
    [InlineData("RATE_LIMIT_PER_IDENTITY", "-1", "RATE_LIMIT_PER_IDENTITY must be 0 (off) or more")]
    [InlineData("RATE_LIMIT_BURST", "0", "RATE_LIMIT_BURST must be 1 or more")]
    [InlineData("AUTH_FAILURES_PER_MINUTE", "-5", "AUTH_FAILURES_PER_MINUTE must be 0 (off) or more")]
    [InlineData("METRICS_PORT", "70000", "METRICS_PORT must be 0 (off) or between 1 and 65535")]
    [InlineData("METRICS_PORT", "8000", "METRICS_PORT must differ from PORT")]
    [InlineData("SHUTDOWN_DELAY_SECONDS", "61", "SHUTDOWN_DELAY_SECONDS must be between 0 and 60")]
    [InlineData("POLICY_TEMPLATE_PATH", "/nonexistent/policy.json", "POLICY_TEMPLATE_PATH: no file at '/nonexistent/policy.json'")]
    [InlineData("KUBECONFIG", "/nonexistent/kubeconfig", "KUBECONFIG: not running in a Kubernetes pod and no kubeconfig file at '/nonexistent/kubeconfig'")]
    [InlineData("TLS_CERT_PATH", "/etc/passwd", "TLS_CERT_PATH and TLS_KEY_PATH go together")]
    [InlineData("TLS_KEY_PATH", "/etc/passwd", "TLS_CERT_PATH and TLS_KEY_PATH go together")]
    [InlineData("SESSION_TAGS", "kubernetes-namespace,team", "SESSION_TAGS names unknown session tags ('team')")]
    [InlineData("SESSION_TAGS", "Kubernetes-Namespace", "SESSION_TAGS names unknown session tags ('Kubernetes-Namespace')")]
    public void Each_problem_names_its_variable(string variable, string value, string expected)
    {
        var (_, result) = Bind(new() { [variable] = value });

        result.Failed.Should().BeTrue();
        result.Failures.Should().ContainSingle().Which.Should().StartWith(expected);
    }

    [Fact]
    public void Tls_files_must_exist()
    {
        var (options, result) = Bind(new() { ["TLS_CERT_PATH"] = "/nonexistent/tls.crt", ["TLS_KEY_PATH"] = TvmApp.ShippedTemplatePath });

        options.ServesTls.Should().BeTrue();
        result.Failures.Should().ContainSingle().Which.Should().StartWith("TLS_CERT_PATH: no file at '/nonexistent/tls.crt'");
    }

    [Fact]
    public void All_problems_are_reported_at_once()
    {
        var (_, result) = Bind(new() { ["AWS_ROLE_ARN"] = "", ["AWS_REGION"] = "", ["PORT"] = "x", ["SESSION_DURATION_SECONDS"] = "10" });

        result.Failures.Should().HaveCount(4);
    }

    [Theory]
    [InlineData("DEBUG", LogEventLevel.Debug)]
    [InlineData("debug", LogEventLevel.Debug)]
    [InlineData("INFO", LogEventLevel.Information)]
    [InlineData("Information", LogEventLevel.Information)]
    [InlineData("WARNING", LogEventLevel.Warning)]
    [InlineData("warn", LogEventLevel.Warning)]
    [InlineData("ERROR", LogEventLevel.Error)]
    [InlineData("Verbose", LogEventLevel.Verbose)]
    [InlineData("fatal", LogEventLevel.Fatal)]
    public void Log_levels_accept_python_and_serilog_names(string value, LogEventLevel expected)
    {
        var (options, result) = Bind(new() { ["LOG_LEVEL"] = value });

        result.Succeeded.Should().BeTrue();
        options.LogLevel.Should().Be(expected);
    }

    [Fact]
    public void Audiences_are_split_trimmed_and_deduplicated()
    {
        var (options, _) = Bind(new() { ["TOKEN_AUDIENCES"] = " tvm, sts.amazonaws.com ,,tvm" });
        options.TokenAudiences.Should().Equal("tvm", "sts.amazonaws.com");
    }

    [Fact]
    public void Session_tags_are_split_trimmed_and_deduplicated()
    {
        var (options, result) = Bind(new() { ["SESSION_TAGS"] = " kubernetes-pod-name,kubernetes-namespace ,,kubernetes-pod-name" });

        result.Succeeded.Should().BeTrue(result.FailureMessage);
        options.SessionTags.Should().Equal("kubernetes-pod-name", "kubernetes-namespace");
    }

    [Fact]
    public void Unknown_session_tags_are_named_together_with_the_allowed_ones()
    {
        var (_, result) = Bind(new() { ["SESSION_TAGS"] = "team,kubernetes-service-account,kubernetes-node-name" });

        result.Failures.Should().ContainSingle().Which.Should().Be(
            "SESSION_TAGS names unknown session tags ('team', 'kubernetes-node-name'): use a comma-separated list of "
            + "kubernetes-namespace, kubernetes-service-account, kubernetes-pod-name, kubernetes-pod-uid.");
    }
}
