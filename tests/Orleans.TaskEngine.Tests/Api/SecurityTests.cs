using System.Net;
using System.Net.Http.Headers;
using Orleans.TaskEngine.Api.Hosting;

namespace Orleans.TaskEngine.Tests.Api;

[Collection(ApiCollection.Name)]
public sealed class SecurityTests(ApiCluster fixture)
{
    [Fact]
    public async Task Without_a_valid_key_the_api_answers_401_and_creates_nothing()
    {
        using var http = fixture.Keyed.CreateClient();
        var before = await fixture.ParkedCount();

        using var none = await http.PostAsync("/api/tasks", TaskApiTests.Json("""{"type":"echo","queue":"parked"}"""));
        await TaskApiTests.AssertProblem(none, HttpStatusCode.Unauthorized, "API key");
        Assert.Contains("Bearer", none.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);

        using var wrong = new HttpRequestMessage(HttpMethod.Post, "/api/tasks") { Content = TaskApiTests.Json("""{"type":"echo","queue":"parked"}""") };
        wrong.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "not-the-key");
        using var wrongResponse = await http.SendAsync(wrong);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongResponse.StatusCode);

        Assert.Equal(before, await fixture.ParkedCount());
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/live")).StatusCode);
    }

    [Fact]
    public async Task With_a_valid_key_calls_pass_until_the_rate_limit_answers_429_with_retry_after()
    {
        // Its own partition: nobody else uses this key, so the bucket (burst 3, 1/s) starts full.
        using var http = fixture.Keyed.CreateClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiCluster.Key);

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? limited = null;
        for (var i = 0; i < 10 && limited is null; i++)
        {
            var response = await http.GetAsync("/api/task-types");
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                limited = response;
            }
        }

        Assert.Equal(HttpStatusCode.OK, statuses[0]);
        Assert.NotNull(limited);
        await TaskApiTests.AssertProblem(limited, HttpStatusCode.TooManyRequests, "rate");
        Assert.NotNull(limited.Headers.RetryAfter);
    }

    [Theory]
    [InlineData("http://0.0.0.0:5080", "http://127.0.0.1:5080")]
    [InlineData("http://*:8080;http://localhost:5081", "http://127.0.0.1:8080;http://localhost:5081")]
    [InlineData("http://127.0.0.1:5080", "http://127.0.0.1:5080")]
    [InlineData("http://[::1]:5080", "http://[::1]:5080")]
    public void Without_keys_listen_addresses_are_restricted_to_loopback(string configured, string expected) =>
        Assert.Equal(expected, LoopbackUrls.Restrict(configured));
}
