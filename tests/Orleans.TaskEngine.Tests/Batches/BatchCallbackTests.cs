using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Orleans.TaskEngine.Api.Batches;
using Orleans.TaskEngine.Http;
using Orleans.TaskEngine.Tasks;
using Orleans.TaskEngine.Tests.Api;
using Orleans.TaskEngine.Tests.Infrastructure;

namespace Orleans.TaskEngine.Tests.Batches;

/// <summary>
/// A batch with a callback over the API (memory store): the callback runs once, after every member finished, with the
/// counts and its payload; the batch's counts over time; cancel; an Idempotency-Key replays the same batch; a refused
/// batch leaves none.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class BatchCallbackTests(ApiCluster fixture)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private readonly HttpClient _http = fixture.Http;

    [Fact]
    public async Task The_callback_runs_once_after_every_member_completed_failed_or_was_cancelled_with_the_counts_and_its_payload()
    {
        var run = Guid.NewGuid().ToString("N");
        var body = $$"""
            {"tasks": [
                {"type": "record", "payload": {"key": "{{run}}-a", "gate": "{{run}}-a"} },
                {"type": "record", "payload": {"key": "{{run}}-b", "gate": "{{run}}-b", "fail": true} },
                {"type": "echo", "queue": "parked"}],
             "callback": {"type": "echo", "payload": {"note": "all done", "n": 7} } }
            """;
        using var submit = await Post("/api/tasks/batch", body);
        Assert.Equal(HttpStatusCode.Accepted, submit.StatusCode);
        var answer = JsonDocument.Parse(await submit.Content.ReadAsStringAsync()).RootElement;
        var batchId = answer.GetProperty("batchId").GetString()!;
        Assert.StartsWith(CallbackBatch.IdPrefix, batchId, StringComparison.Ordinal);
        var members = answer.GetProperty("tasks").EnumerateArray().Select(t => t.GetProperty("id").GetString()!).ToList();
        Assert.Equal(3, members.Count);

        // Two running at their gates, one waiting in a queue no worker serves.
        var batch = await BatchUntil(batchId, b => Count(b, "running") == 2 && Count(b, "pending") == 1);
        Assert.Equal(3, batch.GetProperty("total").GetInt32());
        Assert.False(batch.GetProperty("finished").GetBoolean());
        var callbackId = batch.GetProperty("callbackTaskId").GetString()!;

        TestProbe.OpenGate($"{run}-a");
        TestProbe.OpenGate($"{run}-b");
        batch = await BatchUntil(batchId, b => Count(b, "completed") == 1 && Count(b, "failed") == 1);
        Assert.Equal(1, Count(batch, "pending"));
        Assert.False(batch.GetProperty("finished").GetBoolean());
        using (var notYet = await _http.GetAsync($"/api/tasks/{callbackId}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, notYet.StatusCode);
        }

        using var cancel = await _http.PostAsync($"/api/batches/{batchId}/cancel", null);
        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        Assert.Equal(1, Count(JsonDocument.Parse(await cancel.Content.ReadAsStringAsync()).RootElement, "cancelled"));
        batch = await BatchUntil(batchId, b => b.GetProperty("finished").GetBoolean());
        Assert.Equal((0, 0, 1, 1, 1), Counts(batch));

        var callback = (await fixture.Api.WaitAsync(callbackId, TimeSpan.FromSeconds(30)))!;
        Assert.Equal(TaskState.Completed, callback.Status);
        Assert.Equal(1, callback.Attempts);
        var payload = callback.Result!.Value;
        Assert.Equal(batchId, payload.GetProperty("batchId").GetString());
        Assert.Equal((0, 0, 1, 1, 1), Counts(payload));
        Assert.Equal("all done", payload.GetProperty("payload").GetProperty("note").GetString());
        Assert.Equal(7, payload.GetProperty("payload").GetProperty("n").GetInt32());

        // After every member finished, and only one callback: its id is fixed, and the batch says finished once.
        foreach (var id in members)
        {
            var member = await fixture.Api.GetAsync(id);
            Assert.True(member!.FinishedAt <= callback.CreatedAt, $"member {id} finished at {member.FinishedAt}, after the callback was made at {callback.CreatedAt}");
        }

        using var again = await _http.PostAsync($"/api/batches/{batchId}/cancel", null);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(1, (await fixture.Api.GetAsync(callbackId))!.Attempts);
    }

    [Fact]
    public async Task An_Idempotency_Key_replays_the_same_batch_and_creates_nothing_new()
    {
        var key = "batch-" + Guid.NewGuid().ToString("N");
        var body = """{"tasks": [{"type": "echo", "queue": "parked"}, {"type": "echo", "queue": "parked", "payload": 2}], "callback": {"type": "echo"}}""";
        using var first = await Post("/api/tasks/batch", body, key);
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        var parked = await fixture.ParkedCount();
        var firstAnswer = JsonDocument.Parse(await first.Content.ReadAsStringAsync()).RootElement;
        var batchId = firstAnswer.GetProperty("batchId").GetString()!;
        Assert.Equal(CallbackBatch.IdFor("anonymous", key), batchId);

        using var repeat = await Post("/api/tasks/batch", body, key);
        Assert.Equal(HttpStatusCode.Accepted, repeat.StatusCode);
        var repeatAnswer = JsonDocument.Parse(await repeat.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(batchId, repeatAnswer.GetProperty("batchId").GetString());
        Assert.Equal(Ids(firstAnswer), Ids(repeatAnswer));
        Assert.All(repeatAnswer.GetProperty("tasks").EnumerateArray(), t => Assert.True(t.GetProperty("replayed").GetBoolean()));
        Assert.Equal(parked, await fixture.ParkedCount());
        Assert.Equal(2, (await BatchUntil(batchId, _ => true)).GetProperty("total").GetInt32());

        using var other = await Post("/api/tasks/batch", body.Replace("\"payload\": 2", "\"payload\": 3", StringComparison.Ordinal), key);
        await TaskApiTests.AssertProblem(other, HttpStatusCode.Conflict, "different body");
        Assert.Equal(parked, await fixture.ParkedCount());

        using var cancel = await _http.PostAsync($"/api/batches/{batchId}/cancel", null);
        Assert.True((await BatchUntil(batchId, b => b.GetProperty("finished").GetBoolean())).GetProperty("finished").GetBoolean());
    }

    [Fact]
    public async Task A_batch_refused_for_a_bad_item_or_callback_creates_no_batch()
    {
        var parked = await fixture.ParkedCount();
        var badItem = "bad-item-" + Guid.NewGuid().ToString("N");
        using var refused = await Post("/api/tasks/batch", """{"tasks": [{"type": "echo", "queue": "parked"}, {"type": "no-such-type"}], "callback": {"type": "echo"}}""", badItem);
        await TaskApiTests.AssertProblem(refused, HttpStatusCode.BadRequest, "tasks[1]");
        await AssertNoBatch(CallbackBatch.IdFor("anonymous", badItem));

        var badCallback = "bad-callback-" + Guid.NewGuid().ToString("N");
        using var noCallback = await Post("/api/tasks/batch", """{"tasks": [{"type": "echo", "queue": "parked"}], "callback": {"type": "no-such-type"}}""", badCallback);
        await TaskApiTests.AssertProblem(noCallback, HttpStatusCode.BadRequest, "callback");
        await AssertNoBatch(CallbackBatch.IdFor("anonymous", badCallback));
        Assert.Equal(parked, await fixture.ParkedCount());
    }

    [Fact]
    public async Task A_batch_rolled_back_after_its_state_was_stored_leaves_no_batch()
    {
        // The second item's dependency does not exist: only its task grain finds out, after the first item was created.
        var key = "rolled-back-" + Guid.NewGuid().ToString("N");
        using var refused = await Post("/api/tasks/batch",
            """{"tasks": [{"type": "echo", "queue": "parked"}, {"type": "echo", "dependsOn": ["no-such-task-for-a-batch"]}], "callback": {"type": "echo"}}""", key);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement;
        var cancelled = Assert.Single(problem.GetProperty("cancelled").EnumerateArray()).GetString()!;
        Assert.Equal(TaskState.Cancelled, (await fixture.Api.GetAsync(cancelled))!.Status);
        await AssertNoBatch(CallbackBatch.IdFor("anonymous", key));

        // Refused for room (queue tiny holds 2) after the state was stored: dropped again.
        var full = "no-room-" + Guid.NewGuid().ToString("N");
        var tiny = string.Join(", ", Enumerable.Repeat("""{"type": "echo", "queue": "tiny"}""", 3));
        using var noRoom = await Post("/api/tasks/batch", $$"""{"tasks": [{{tiny}}], "callback": {"type": "echo"} }""", full);
        await TaskApiTests.AssertProblem(noRoom, HttpStatusCode.TooManyRequests, "full");
        await AssertNoBatch(CallbackBatch.IdFor("anonymous", full));
    }

    [Fact]
    public async Task A_member_that_never_tells_the_batch_is_found_finished_by_asking_it()
    {
        // A member made before the batch (replayed by its idempotencyKey) carries no batch id and sends no notice: the
        // batch learns of its finish only by asking, as its recovery reminder does; a read asks too.
        var key = "made-before-" + Guid.NewGuid().ToString("N");
        var earlier = await fixture.Api.SubmitAsync(new SubmitTaskRequest { Type = "echo", IdempotencyKey = key });
        Assert.Equal(TaskState.Completed, (await fixture.Api.WaitAsync(earlier.Id, TimeSpan.FromSeconds(30)))!.Status);

        using var submit = await Post("/api/tasks/batch", $$"""{"tasks": [{"type": "echo", "idempotencyKey": "{{key}}"}], "callback": {"type": "echo"} }""");
        Assert.Equal(HttpStatusCode.Accepted, submit.StatusCode);
        var answer = JsonDocument.Parse(await submit.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal([earlier.Id], Ids(answer));
        var batch = await BatchUntil(answer.GetProperty("batchId").GetString()!, b => b.GetProperty("finished").GetBoolean());
        Assert.Equal((0, 0, 1, 0, 0), Counts(batch));
        var callback = await fixture.Api.WaitAsync(batch.GetProperty("callbackTaskId").GetString()!, TimeSpan.FromSeconds(30));
        Assert.Equal(TaskState.Completed, callback!.Status);
    }

    [Fact]
    public async Task An_unknown_batch_is_a_404_and_a_malformed_id_a_400()
    {
        await AssertNoBatch("bat-" + Guid.NewGuid().ToString("N"));
        using var cancel = await _http.PostAsync("/api/batches/bat-nothing-here/cancel", null);
        Assert.Equal(HttpStatusCode.NotFound, cancel.StatusCode);
        using var malformed = await _http.GetAsync("/api/batches/bat%20x");
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
    }

    private async Task AssertNoBatch(string batchId)
    {
        using var response = await _http.GetAsync($"/api/batches/{batchId}");
        await TaskApiTests.AssertProblem(response, HttpStatusCode.NotFound, batchId);
    }

    private async Task<HttpResponseMessage> Post(string path, string json, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return await _http.SendAsync(request);
    }

    private Task<JsonElement> BatchUntil(string batchId, Func<JsonElement, bool> done) =>
        Eventually.Until(async () => JsonDocument.Parse(await _http.GetStringAsync($"/api/batches/{batchId}")).RootElement, done, Deadline, $"batch {batchId} as expected");

    private static int Count(JsonElement batch, string status) => batch.GetProperty("counts").GetProperty(status).GetInt32();

    private static (int, int, int, int, int) Counts(JsonElement batch) =>
        (Count(batch, "pending"), Count(batch, "running"), Count(batch, "completed"), Count(batch, "failed"), Count(batch, "cancelled"));

    private static List<string> Ids(JsonElement answer) => answer.GetProperty("tasks").EnumerateArray().Select(t => t.GetProperty("id").GetString()!).ToList();
}
