using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Orleans.TaskEngine.Http;
using Orleans.TaskEngine.Tasks;
using Orleans.TaskEngine.Tests.Infrastructure;

namespace Orleans.TaskEngine.Tests.Callbacks;

public sealed class CallbackApiTests(CallbackApiFixture fixture) : IClassFixture<CallbackApiFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly HttpClient _http = fixture.Http;

    [Fact]
    public async Task A_completed_task_is_posted_once_to_its_callback_with_a_valid_signature_and_the_task_as_body()
    {
        var receiver = fixture.Receiver;
        var id = await SubmitAsync($$"""{"type":"echo","payload":{"n":5},"callbackUrl":"{{receiver.Url}}"}""");

        var received = (await Eventually.Until(() => Task.FromResult(receiver.For(id)), r => r.Count >= 1, Patience, $"the callback of {id}")).Single();
        Assert.Equal(HttpStatusCode.NoContent, received.Answer);
        Assert.True(CallbackReceiver.IsSigned(received, CallbackApiFixture.Secret), $"signature {received.Signature} of {received.Timestamp}.{received.Body}");
        Assert.False(string.IsNullOrEmpty(received.DeliveryId));
        Assert.InRange(long.Parse(received.Timestamp!, System.Globalization.CultureInfo.InvariantCulture),
            DateTimeOffset.UtcNow.AddMinutes(-2).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.AddMinutes(1).ToUnixTimeSeconds());
        Assert.Equal(TaskState.Completed, received.Task.Status);
        Assert.Equal(5, received.Task.Result!.Value.GetProperty("n").GetInt32());
        Assert.Equal(receiver.Url, received.Task.CallbackUrl);

        // The GET shows where it goes, too. A later task's callback arriving after it shows no second POST of the first.
        var task = await _http.GetFromJsonAsync<TaskResource>($"/api/tasks/{id}", TaskEngineJson.Options);
        Assert.Equal(receiver.Url, task!.CallbackUrl);
        var later = await SubmitAsync($$"""{"type":"echo","callbackUrl":"{{receiver.Url}}"}""");
        await Eventually.Until(() => Task.FromResult(receiver.For(later)), r => r.Count >= 1, Patience, $"the callback of {later}");
        Assert.Single(receiver.For(id));
    }

    [Fact]
    public async Task A_receiver_that_answers_500_twice_gets_the_same_delivery_again_until_it_answers_2xx()
    {
        var flaky = fixture.Flaky;
        var id = await SubmitAsync($$"""{"type":"echo","callbackUrl":"{{flaky.Url}}"}""");

        var received = await Eventually.Until(() => Task.FromResult(flaky.For(id)), r => r.Any(x => x.Answer == HttpStatusCode.NoContent), Patience, $"a delivered callback of {id}");
        Assert.Equal([HttpStatusCode.InternalServerError, HttpStatusCode.InternalServerError, HttpStatusCode.NoContent], received.Select(r => r.Answer));
        Assert.Single(received.Select(r => r.DeliveryId).Distinct());
        Assert.All(received, r => Assert.True(CallbackReceiver.IsSigned(r, CallbackApiFixture.Secret)));
    }

    [Fact]
    public async Task Cancelled_and_failed_tasks_call_back_too()
    {
        var receiver = fixture.Receiver;
        var cancelled = await SubmitAsync($$"""{"type":"delay","payload":{"ms":60000},"callbackUrl":"{{receiver.Url}}"}""");
        using (var cancel = await _http.PostAsync($"/api/tasks/{cancelled}/cancel", null))
        {
            Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        }

        // The http handler refuses a host that is not allowed: a permanent failure, so failed for good at once.
        var failed = await SubmitAsync($$"""{"type":"http","payload":{"url":"http://not-allowed.invalid/"},"maxAttempts":1,"callbackUrl":"{{receiver.Url}}"}""");

        var onCancel = await Eventually.Until(() => Task.FromResult(receiver.For(cancelled)), r => r.Count >= 1, Patience, $"the callback of {cancelled}");
        var onFail = await Eventually.Until(() => Task.FromResult(receiver.For(failed)), r => r.Count >= 1, Patience, $"the callback of {failed}");
        Assert.Equal(TaskState.Cancelled, onCancel[0].Task.Status);
        Assert.Equal(TaskState.Failed, onFail[0].Task.Status);
        Assert.NotNull(onFail[0].Task.Error);
    }

    [Fact]
    public async Task A_callback_host_not_allowed_is_refused_with_400_and_nothing_is_created()
    {
        var key = $"cb-{Guid.NewGuid():N}";
        using var refused = await PostAsync("""{"type":"echo","callbackUrl":"http://elsewhere.invalid/hook"}""", key);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var problem = await refused.Content.ReadAsStringAsync();
        Assert.Contains("TaskEngine:Http:AllowedHosts", problem, StringComparison.Ordinal);
        Assert.Contains("elsewhere.invalid", problem, StringComparison.Ordinal);

        // The same key with no callback creates the task anew: the refused submit left nothing behind.
        using var again = await PostAsync("""{"type":"echo"}""", key);
        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        Assert.False(again.Headers.Contains("Idempotent-Replayed"));
    }

    [Fact]
    public async Task A_callback_url_that_is_not_http_is_refused_with_400()
    {
        using var refused = await PostAsync("""{"type":"echo","callbackUrl":"ftp://127.0.0.1/x"}""");
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("callbackUrl must be an absolute http or https URL", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_secret_a_submit_with_a_callback_is_refused_with_400_saying_so()
    {
        await using var factory = KeyedApiFactory.Create().WithWebHostBuilder(b => b.UseSetting("TaskEngine:Http:AllowedHosts:0", "127.0.0.1"));
        using var http = factory.CreateClient();
        using var refused = await http.PostAsync("/api/tasks", Json($$"""{"type":"echo","callbackUrl":"{{fixture.Receiver.Url}}"}"""));

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("TaskEngine:Callbacks:Secret", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var plain = await http.PostAsync("/api/tasks", Json("""{"type":"echo"}"""));
        Assert.Equal(HttpStatusCode.Accepted, plain.StatusCode);
    }

    private async Task<string> SubmitAsync(string body)
    {
        using var response = await PostAsync(body);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<TaskAccepted>(TaskEngineJson.Options))!.Id;
    }

    private Task<HttpResponseMessage> PostAsync(string body, string? idempotencyKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/tasks") { Content = Json(body) };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return _http.SendAsync(request);
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
