using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Orleans.TaskEngine.Client;
using Orleans.TaskEngine.Http;
using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Tests.Api;

[Collection(ApiCollection.Name)]
public sealed class TaskApiTests(ApiCluster fixture)
{
    private readonly HttpClient _http = fixture.Http;
    private readonly TaskEngineHttpClient _api = fixture.Api;

    [Fact]
    public async Task Submit_answers_202_with_location_id_and_status_and_the_task_can_be_read_and_awaited()
    {
        using var response = await _http.PostAsync("/api/tasks", Json("""{"type":"echo","payload":{"n":7},"priority":"high","tags":["a"]}"""));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var accepted = await response.Content.ReadFromJsonAsync<TaskAccepted>(TaskEngineJson.Options);
        Assert.Equal($"/api/tasks/{accepted!.Id}", response.Headers.Location!.OriginalString);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("\"status\":\"pending\"", body, StringComparison.Ordinal);

        var done = await _api.WaitAsync(accepted.Id, TimeSpan.FromSeconds(30));
        Assert.Equal(TaskState.Completed, done!.Status);
        Assert.Equal(TaskPriority.High, done.Priority);
        Assert.Equal(7, done.Result!.Value.GetProperty("n").GetInt32());

        var raw = await _http.GetStringAsync($"/api/tasks/{accepted.Id}");
        Assert.Contains("\"status\":\"completed\"", raw, StringComparison.Ordinal);
        Assert.Contains("\"priority\":\"high\"", raw, StringComparison.Ordinal);
        Assert.Matches("\"createdAt\":\"\\d{4}-\\d\\d-\\d\\dT[^\"]+\\+00:00\"", raw);
    }

    [Fact]
    public async Task Submit_with_wait_answers_200_with_the_finished_task_or_202_when_it_takes_longer()
    {
        using var quick = await _http.PostAsync("/api/tasks?wait=10", Json("""{"type":"delay","payload":{"ms":100}}"""));
        Assert.Equal(HttpStatusCode.OK, quick.StatusCode);
        var task = await quick.Content.ReadFromJsonAsync<TaskResource>(TaskEngineJson.Options);
        Assert.Equal(TaskState.Completed, task!.Status);

        using var slow = await _http.PostAsync("/api/tasks?wait=1", Json("""{"type":"delay","payload":{"ms":30000}}"""));
        Assert.Equal(HttpStatusCode.Accepted, slow.StatusCode);
        var accepted = await slow.Content.ReadFromJsonAsync<TaskAccepted>(TaskEngineJson.Options);
        await _api.CancelAsync(accepted!.Id);

        using var tooLong = await _http.PostAsync("/api/tasks?wait=61", Json("""{"type":"echo"}"""));
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
    }

    [Fact]
    public async Task Wait_long_polls_until_the_task_finishes_or_returns_its_current_state_at_the_timeout()
    {
        var accepted = await _api.SubmitAsync(new SubmitTaskRequest { Type = "delay", Payload = JsonSerializer.SerializeToElement(new { ms = 300 }) });
        var done = await _http.GetFromJsonAsync<TaskResource>($"/api/tasks/{accepted.Id}/wait?timeout=20", TaskEngineJson.Options);
        Assert.Equal(TaskState.Completed, done!.Status);

        var slow = await _api.SubmitAsync(new SubmitTaskRequest { Type = "delay", Payload = JsonSerializer.SerializeToElement(new { ms = 30000 }) });
        var current = await _http.GetFromJsonAsync<TaskResource>($"/api/tasks/{slow.Id}/wait?timeout=1", TaskEngineJson.Options);
        Assert.False(current!.Status.IsTerminal());
        await _api.CancelAsync(slow.Id);
    }

    [Fact]
    public async Task A_batch_is_accepted_whole_or_refused_whole_with_the_bad_items_index()
    {
        var before = await fixture.ParkedCount();
        var good = await _api.SubmitBatchAsync([Parked(1), Parked(2), Parked(3)]);
        Assert.Equal(3, good.Count);
        Assert.Equal(before + 3, await fixture.ParkedCount());

        using var refused = await _http.PostAsync("/api/tasks/batch", Json("""
            {"tasks":[{"type":"echo","queue":"parked"},{"type":"echo","queue":"parked","priority":"soon"},{"type":"echo","queue":"parked"}]}
            """));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        using var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync());
        Assert.Equal(1, problem.RootElement.GetProperty("index").GetInt32());
        Assert.Contains("priority", problem.RootElement.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(before + 3, await fixture.ParkedCount());

        var tooMany = Enumerable.Range(0, 1001).Select(i => Parked(i)).ToList();
        var error = await Assert.ThrowsAsync<TaskEngineApiException>(() => _api.SubmitBatchAsync(tooMany));
        Assert.Equal(HttpStatusCode.BadRequest, error.Status);
        Assert.Equal(before + 3, await fixture.ParkedCount());

        foreach (var task in good)
        {
            await _api.CancelAsync(task.Id);
        }
    }

    [Theory]
    [InlineData("{\"type\":\"echo\",", HttpStatusCode.BadRequest, "not valid JSON")]
    [InlineData("[1,2]", HttpStatusCode.BadRequest, "not valid JSON")]
    [InlineData("{\"queue\":\"parked\"}", HttpStatusCode.BadRequest, "type is required")]
    [InlineData("{\"type\":\"no-such-type\",\"queue\":\"parked\"}", HttpStatusCode.BadRequest, "no handler")]
    [InlineData("{\"type\":\"echo\",\"queue\":\"parked\",\"priority\":\"asap\"}", HttpStatusCode.BadRequest, "priority")]
    [InlineData("{\"type\":\"echo\",\"queue\":\"parked\",\"timeoutSeconds\":0}", HttpStatusCode.BadRequest, "timeoutSeconds")]
    [InlineData("{\"type\":\"echo\",\"queue\":\"parked\",\"timeoutSeconds\":86401}", HttpStatusCode.BadRequest, "timeoutSeconds")]
    [InlineData("{\"type\":\"echo\",\"queue\":\"parked\",\"maxAttempts\":0}", HttpStatusCode.BadRequest, "maxAttempts")]
    [InlineData("{\"type\":\"echo\",\"queue\":\"parked\",\"maxAttempts\":101}", HttpStatusCode.BadRequest, "maxAttempts")]
    [InlineData("{\"type\":\"echo\",\"queue\":\"parked\",\"timeoutSeconds\":\"soon\"}", HttpStatusCode.BadRequest, "not valid JSON")]
    public async Task Bad_input_gets_a_problem_document_and_creates_nothing(string body, HttpStatusCode status, string reason)
    {
        var before = await fixture.ParkedCount();
        using var response = await _http.PostAsync("/api/tasks", Json(body));

        await AssertProblem(response, status, reason);
        Assert.Equal(before, await fixture.ParkedCount());
    }

    [Fact]
    public async Task A_payload_over_1_MiB_is_refused_with_413()
    {
        var before = await fixture.ParkedCount();
        var big = new string('x', (1024 * 1024) + 10);
        using var response = await _http.PostAsync("/api/tasks", Json(JsonSerializer.Serialize(new { type = "echo", queue = "parked", payload = big })));

        await AssertProblem(response, HttpStatusCode.RequestEntityTooLarge, "1 MiB");
        Assert.Equal(before, await fixture.ParkedCount());
    }

    [Fact]
    public async Task Unknown_task_is_404_and_wrong_method_is_405_as_problem_documents()
    {
        using var missing = await _http.GetAsync("/api/tasks/no-such-task");
        await AssertProblem(missing, HttpStatusCode.NotFound, "no-such-task");
        using var missingCancel = await _http.PostAsync("/api/tasks/no-such-task/cancel", null);
        await AssertProblem(missingCancel, HttpStatusCode.NotFound, "no-such-task");
        using var wrongMethod = await _http.DeleteAsync("/api/tasks");
        Assert.Equal(HttpStatusCode.MethodNotAllowed, wrongMethod.StatusCode);
        Assert.Equal("application/problem+json", wrongMethod.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_repeat_with_the_same_idempotency_key_returns_the_first_task_and_a_different_body_is_409()
    {
        var key = Guid.NewGuid().ToString("N");
        var before = await fixture.ParkedCount();
        var first = await _api.SubmitAsync(Parked(1), key);
        var again = await _api.SubmitAsync(Parked(1), key);

        Assert.Equal(first.Id, again.Id);
        Assert.Equal(before + 1, await fixture.ParkedCount());

        var conflict = await Assert.ThrowsAsync<TaskEngineApiException>(() => _api.SubmitAsync(Parked(2), key));
        Assert.Equal(HttpStatusCode.Conflict, conflict.Status);
        Assert.Equal(before + 1, await fixture.ParkedCount());
        await _api.CancelAsync(first.Id);
    }

    [Fact]
    public async Task Cancel_and_retry_answer_what_happened_and_refuse_what_makes_no_sense()
    {
        var parked = await _api.SubmitAsync(Parked(1));
        var cancelled = await _api.CancelAsync(parked.Id, "changed my mind");
        Assert.True(cancelled.Changed);
        Assert.Equal(TaskState.Cancelled, cancelled.Task!.Status);

        var again = await Assert.ThrowsAsync<TaskEngineApiException>(() => _api.CancelAsync(parked.Id));
        Assert.Equal(HttpStatusCode.Conflict, again.Status);
        Assert.Contains("already cancelled", again.Detail, StringComparison.Ordinal);

        var failing = await _api.SubmitAsync(new SubmitTaskRequest { Type = "bad-payload", MaxAttempts = 1 });
        var failed = await _api.WaitAsync(failing.Id, TimeSpan.FromSeconds(30));
        Assert.Equal(TaskState.Failed, failed!.Status);
        Assert.Equal(TaskErrorKinds.Permanent, failed.Error!.Kind);
        var retried = await _api.RetryAsync(failing.Id);
        Assert.True(retried.Changed);
        var failedAgain = await _api.WaitAsync(failing.Id, TimeSpan.FromSeconds(30));
        Assert.Equal(2, failedAgain!.Attempts);

        var done = await _api.SubmitAndWaitAsync(new SubmitTaskRequest { Type = "echo" }, TimeSpan.FromSeconds(10));
        var noRetry = await Assert.ThrowsAsync<TaskEngineApiException>(() => _api.RetryAsync(done!.Id));
        Assert.Equal(HttpStatusCode.Conflict, noRetry.Status);
    }

    [Fact]
    public async Task A_late_event_stream_gets_the_history_then_closes_when_the_task_finishes()
    {
        var accepted = await _api.SubmitAsync(new SubmitTaskRequest { Type = "progress" });
        await _api.WaitAsync(accepted.Id, TimeSpan.FromSeconds(30));

        var events = new List<TaskEvent>();
        await foreach (var e in _api.StreamEventsAsync(accepted.Id).WithCancellation(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token))
        {
            events.Add(e);
        }

        var transitions = events.Where(e => e.Kind == TaskEventKind.Transition).Select(e => e.Status).ToList();
        Assert.Equal([TaskState.Pending, TaskState.Running, TaskState.Completed], transitions);
        Assert.Contains(events, e => e.Kind == TaskEventKind.Progress);
        Assert.Equal(events.Select(e => e.Sequence).Order(), events.Select(e => e.Sequence));
    }

    [Fact]
    public async Task An_event_stream_follows_a_running_task_live()
    {
        var accepted = await _api.SubmitAsync(new SubmitTaskRequest { Type = "delay", Payload = JsonSerializer.SerializeToElement(new { ms = 1500 }) });
        var statuses = new List<TaskState>();
        await foreach (var e in _api.StreamEventsAsync(accepted.Id).WithCancellation(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token))
        {
            statuses.Add(e.Status);
        }

        Assert.Equal(TaskState.Completed, statuses[^1]);
        Assert.Contains(TaskState.Running, statuses);
    }

    [Fact]
    public async Task A_full_queue_answers_429_with_retry_after()
    {
        var first = await _api.SubmitAsync(new SubmitTaskRequest { Type = "echo", Queue = "tiny" });
        var second = await _api.SubmitAsync(new SubmitTaskRequest { Type = "echo", Queue = "tiny" });

        using var response = await _http.PostAsync("/api/tasks", Json("""{"type":"echo","queue":"tiny"}"""));

        await AssertProblem(response, HttpStatusCode.TooManyRequests, "full");
        Assert.NotNull(response.Headers.RetryAfter);
        await _api.CancelAsync(first.Id);
        await _api.CancelAsync(second.Id);
    }

    [Fact]
    public async Task Operators_see_queues_workers_and_task_types()
    {
        await _api.SubmitAsync(Parked(1));
        var queues = await _http.GetFromJsonAsync<JsonElement>("/api/queues");
        var parked = queues.EnumerateArray().Single(q => q.GetProperty("queue").GetString() == "parked");
        Assert.True(parked.GetProperty("pendingByPriority").GetProperty("normal").GetInt32() >= 1);
        Assert.True(parked.GetProperty("capacity").GetInt32() > 0);
        var defaultQueue = queues.EnumerateArray().Single(q => q.GetProperty("queue").GetString() == "default");
        Assert.True(defaultQueue.GetProperty("workers").GetArrayLength() >= 4);

        var workers = await _http.GetFromJsonAsync<JsonElement>("/api/workers");
        Assert.True(workers.GetArrayLength() >= 4);
        Assert.All(workers.EnumerateArray(), w => Assert.True(w.GetProperty("concurrency").GetInt32() > 0));

        var types = await _http.GetFromJsonAsync<TaskTypesResponse>("/api/task-types", TaskEngineJson.Options);
        Assert.Contains("echo", types!.Types);
        Assert.Contains("http", types.Types);
    }

    [Fact]
    public async Task Health_OpenApi_and_docs_answer()
    {
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync("/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync("/health/ready")).StatusCode);
        var openApi = await _http.GetStringAsync("/openapi/v1.json");
        Assert.Contains("/api/tasks/{id}/events", openApi, StringComparison.Ordinal);
        var docs = await _http.GetAsync("/docs/");
        Assert.Equal(HttpStatusCode.OK, docs.StatusCode);
    }

    internal static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    internal static async Task AssertProblem(HttpResponseMessage response, HttpStatusCode status, string reason)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {status}, got {response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(body);
        Assert.Equal((int)status, problem.RootElement.GetProperty("status").GetInt32());
        Assert.Contains(reason, body, StringComparison.OrdinalIgnoreCase);
    }

    private static SubmitTaskRequest Parked(int n) =>
        new() { Type = "echo", Queue = "parked", Payload = JsonSerializer.SerializeToElement(new { n }) };
}
