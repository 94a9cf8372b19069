namespace Tvm.Tests.Support;

public static class Responses
{
    /// <summary>Asserts an RFC 9457 problem with the contract's members and nothing of the server's insides.</summary>
    public static async Task<JsonElement> ShouldBeProblemAsync(this HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        response.StatusCode.Should().Be(status, body);
        response.Content.Headers.ContentType?.MediaType.Should().Be("application/problem+json");
        body.Should().NotContain("   at ").And.NotContain("Exception").And.NotContain("Tvm.");

        var problem = JsonDocument.Parse(body).RootElement;
        problem.GetProperty("status").GetInt32().Should().Be((int)status);
        problem.GetProperty("title").GetString().Should().NotBeNullOrWhiteSpace();
        problem.GetProperty("detail").GetString().Should().NotBeNullOrWhiteSpace();
        problem.GetProperty("requestId").GetString().Should().NotBeNullOrWhiteSpace();
        return problem;
    }

    public static async Task<JsonElement> ShouldBeCredentialsAsync(this HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        response.StatusCode.Should().Be(HttpStatusCode.OK, body);
        response.Headers.CacheControl?.NoStore.Should().BeTrue();
        return JsonDocument.Parse(body).RootElement;
    }

    public static string Detail(this JsonElement problem) => problem.GetProperty("detail").GetString()!;
}
