using System.Globalization;
using System.Net;
using System.Net.ServerSentEvents;
using System.Text.Json;
using Orleans.TaskEngine.Http;
using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Tests.Api;

/// <summary>
/// <c>GET /api/tasks/{id}/events</c> sends each event's sequence number as its SSE <c>id:</c>, and a reconnect with
/// <c>Last-Event-ID</c> resumes strictly after it: nothing at or before it again, nothing after it missed.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class EventStreamResumeTests(ApiCluster fixture)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private readonly HttpClient _http = fixture.Http;

    [Fact]
    public async Task Each_event_carries_its_sequence_as_its_id_and_a_reconnect_resumes_strictly_after_the_last_one_seen()
    {
        var accepted = await fixture.Api.SubmitAsync(new SubmitTaskRequest { Type = "progress" });
        await fixture.Api.WaitAsync(accepted.Id, Deadline);

        var all = await ReadAsync(accepted.Id, lastEventId: null);
        Assert.True(all.Count >= 5, $"only {all.Count} events");
        Assert.All(all, e => Assert.Equal(e.Event.Sequence.ToString(CultureInfo.InvariantCulture), e.Id));

        foreach (var (id, _) in all)
        {
            var after = long.Parse(id!, CultureInfo.InvariantCulture);
            var resumed = await ReadAsync(accepted.Id, id);
            Assert.Equal(all.Select(e => e.Event.Sequence).Where(s => s > after), resumed.Select(e => e.Event.Sequence));
        }

        Assert.Equal(all.Select(e => e.Event.Sequence), (await ReadAsync(accepted.Id, "0")).Select(e => e.Event.Sequence));
    }

    [Fact]
    public async Task A_stream_dropped_while_the_task_runs_resumes_where_it_stopped_and_misses_nothing()
    {
        var accepted = await fixture.Api.SubmitAsync(new SubmitTaskRequest { Type = "delay", Payload = JsonSerializer.SerializeToElement(new { ms = 1500 }) });

        // Read until the task is running, then drop the connection, as a client whose network fails does.
        var before = new List<(string? Id, TaskEvent Event)>();
        using (var timeout = new CancellationTokenSource(Deadline))
        using (var response = await OpenAsync(accepted.Id, null, timeout.Token))
        await using (var stream = await response.Content.ReadAsStreamAsync(timeout.Token))
        {
            await foreach (var item in SseParser.Create(stream).EnumerateAsync(timeout.Token))
            {
                before.Add((item.EventId, Parse(item.Data)));
                if (before[^1].Event.Status == TaskState.Running)
                {
                    break;
                }
            }
        }

        var last = before[^1].Id;
        var after = await ReadAsync(accepted.Id, last);

        Assert.All(after, e => Assert.True(e.Event.Sequence > long.Parse(last!, CultureInfo.InvariantCulture), $"event {e.Event.Sequence} replayed"));
        Assert.Equal(TaskState.Completed, after[^1].Event.Status);
        var history = (await fixture.Api.GetAsync(accepted.Id))!.History.Select(e => e.Sequence);
        Assert.Equal(history, before.Concat(after).Select(e => e.Event.Sequence));
    }

    [Fact]
    public async Task The_dotnet_client_resumes_after_the_event_it_is_given()
    {
        var accepted = await fixture.Api.SubmitAsync(new SubmitTaskRequest { Type = "progress" });
        await fixture.Api.WaitAsync(accepted.Id, Deadline);
        var all = await ReadAsync(accepted.Id, lastEventId: null);
        var after = all[1].Event.Sequence;

        var resumed = new List<long>();
        await foreach (var e in fixture.Api.StreamEventsAsync(accepted.Id, after).WithCancellation(new CancellationTokenSource(Deadline).Token))
        {
            resumed.Add(e.Sequence);
        }

        Assert.Equal(all.Select(e => e.Event.Sequence).Where(s => s > after), resumed);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("-1")]
    [InlineData("1.5")]
    [InlineData("1e3")]
    [InlineData("0x1")]
    [InlineData("99999999999999999999")]
    [InlineData("\u0661")]
    public async Task A_malformed_Last_Event_ID_is_a_400(string lastEventId)
    {
        var accepted = await fixture.Api.SubmitAndWaitAsync(new SubmitTaskRequest { Type = "echo" }, Deadline);

        using var timeout = new CancellationTokenSource(Deadline);
        using var response = await OpenAsync(accepted!.Id, lastEventId, timeout.Token);

        await TaskApiTests.AssertProblem(response, HttpStatusCode.BadRequest, "Last-Event-ID");
    }

    private async Task<List<(string? Id, TaskEvent Event)>> ReadAsync(string taskId, string? lastEventId)
    {
        using var timeout = new CancellationTokenSource(Deadline);
        using var response = await OpenAsync(taskId, lastEventId, timeout.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await using var stream = await response.Content.ReadAsStreamAsync(timeout.Token);
        var events = new List<(string?, TaskEvent)>();
        await foreach (var item in SseParser.Create(stream).EnumerateAsync(timeout.Token))
        {
            events.Add((item.EventId, Parse(item.Data)));
        }

        return events;
    }

    private async Task<HttpResponseMessage> OpenAsync(string taskId, string? lastEventId, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/tasks/{taskId}/events");
        if (lastEventId is not null)
        {
            request.Headers.TryAddWithoutValidation("Last-Event-ID", lastEventId);
        }

        return await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
    }

    private static TaskEvent Parse(string data) => JsonSerializer.Deserialize<TaskEvent>(data, TaskEngineJson.Options)!;
}
