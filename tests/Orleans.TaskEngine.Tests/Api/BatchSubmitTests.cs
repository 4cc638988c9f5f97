using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Orleans.Runtime;
using Orleans.TaskEngine.Api.Endpoints;
using Orleans.TaskEngine.Client;
using Orleans.TaskEngine.Http;
using Orleans.TaskEngine.Tasks;
using Orleans.TaskEngine.Tests.Infrastructure;

namespace Orleans.TaskEngine.Tests.Api;

/// <summary>
/// A batch and idempotency keys: a refused batch takes back only what it created, never a task an earlier request made
/// with the same key; a key reused with a different body is a 409 (an earlier request's) or a 400 (within the batch)
/// and creates nothing; replays are reported as such.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class BatchSubmitTests(ApiCluster fixture)
{
    private readonly HttpClient _http = fixture.Http;
    private readonly TaskEngineHttpClient _api = fixture.Api;

    [Fact]
    public async Task A_batch_refused_part_way_cancels_only_the_tasks_it_created_never_one_an_earlier_request_made_with_the_same_key()
    {
        var key = Key();
        var earlier = await _api.SubmitAsync(Parked(1, key));
        var fillers = new List<string>();
        var filled = false;

        // Another caller fills the queue after the batch checked its room, just before its tiny item is written.
        var grains = SubmitHookGrainFactory.Create(fixture.Cluster.Client, async submission =>
        {
            if (submission.Queue == "tiny" && !filled)
            {
                filled = true;
                for (var i = 0; i < 3; i++)
                {
                    var filler = await fixture.Engine.SubmitAsync(new TaskSubmission { Type = "echo", Queue = "tiny" });
                    if (filler.IsAccepted)
                    {
                        fillers.Add(filler.TaskId);
                    }
                }
            }
        });
        await using var factory = new ApiFactory(fixture.Cluster.Client, new Dictionary<string, string?>(), grains);
        using var http = factory.CreateClient();
        var parkedBefore = await fixture.ParkedCount();

        using var response = await http.PostAsJsonAsync("/api/tasks/batch", new BatchSubmitRequest
        {
            Tasks = [Parked(1, key), Parked(2), new SubmitTaskRequest { Type = "echo", Queue = "tiny" }],
        }, TaskEngineJson.Options);

        try
        {
            await TaskApiTests.AssertProblem(response, HttpStatusCode.TooManyRequests, "full");
            Assert.True(filled, "the hook never ran: the batch did not reach its tiny item");
            Assert.Equal(TaskState.Pending, (await fixture.Engine.GetAsync(earlier.Id))!.Status);
            await Eventually.Until(fixture.ParkedCount, n => n == parkedBefore, TimeSpan.FromSeconds(10), "the parked queue back to what it held before the batch");
            using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            var cancelled = problem.RootElement.GetProperty("cancelled").EnumerateArray().Select(e => e.GetString()!).ToList();
            var created = Assert.Single(cancelled);
            Assert.NotEqual(earlier.Id, created);
            Assert.Equal(TaskState.Cancelled, (await fixture.Engine.GetAsync(created))!.Status);
        }
        finally
        {
            foreach (var id in fillers.Append(earlier.Id))
            {
                await fixture.Engine.CancelAsync(id);
            }
        }
    }

    [Fact]
    public async Task A_batch_cut_short_by_a_failure_takes_back_what_it_created()
    {
        var key = Key();
        var earlier = await _api.SubmitAsync(Parked(1, key));
        var submits = 0;

        // The cluster stops answering at the batch's third write.
        var grains = SubmitHookGrainFactory.Create(fixture.Cluster.Client, _ =>
            ++submits == 3 ? throw new SiloUnavailableException("the silo went away") : Task.CompletedTask);
        await using var factory = new ApiFactory(fixture.Cluster.Client, new Dictionary<string, string?>(), grains);
        using var http = factory.CreateClient();
        var before = await fixture.ParkedCount();

        using var response = await http.PostAsJsonAsync("/api/tasks/batch", new BatchSubmitRequest
        {
            Tasks = [Parked(1, key), Parked(2), Parked(3), Parked(4)],
        }, TaskEngineJson.Options);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(3, submits);
        await Eventually.Until(fixture.ParkedCount, n => n == before, TimeSpan.FromSeconds(10), "the parked queue back to what it held before the batch");
        Assert.Equal(TaskState.Pending, (await fixture.Engine.GetAsync(earlier.Id))!.Status);
        await _api.CancelAsync(earlier.Id);
    }

    [Fact]
    public async Task A_key_an_earlier_request_used_with_a_different_body_is_a_409_with_the_index_and_nothing_is_created()
    {
        var key = Key();
        var earlier = await _api.SubmitAsync(Parked(1, key));
        var before = await fixture.ParkedCount();

        using var response = await Batch(Parked(7), Parked(2, key), Parked(8));

        await TaskApiTests.AssertProblem(response, HttpStatusCode.Conflict, "different");
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(1, problem.RootElement.GetProperty("index").GetInt32());
        Assert.Equal(before, await fixture.ParkedCount());
        var task = (await fixture.Engine.GetAsync(earlier.Id))!;
        Assert.Equal(TaskState.Pending, task.Status);
        Assert.Contains("\"n\":1", task.Payload, StringComparison.Ordinal);
        await _api.CancelAsync(earlier.Id);
    }

    [Fact]
    public async Task The_same_key_twice_in_one_batch_with_different_bodies_is_a_400_with_the_index_and_nothing_is_created()
    {
        var key = Key();
        var before = await fixture.ParkedCount();

        using var response = await Batch(Parked(1, key), Parked(5), Parked(2, key));

        await TaskApiTests.AssertProblem(response, HttpStatusCode.BadRequest, "tasks[0]");
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(2, problem.RootElement.GetProperty("index").GetInt32());
        Assert.Equal(before, await fixture.ParkedCount());
        Assert.Null(await _api.GetAsync(IdempotencyKeys.TaskIdFor("anonymous", key)));
    }

    [Fact]
    public async Task Replayed_items_are_reported_as_replayed_and_create_nothing()
    {
        var (first, second) = (Key(), Key());
        var earlier = await _api.SubmitAsync(Parked(1, first));
        var before = await fixture.ParkedCount();

        using var response = await Batch(Parked(1, first), Parked(3, second), Parked(3, second), Parked(4));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var tasks = body.RootElement.GetProperty("tasks").EnumerateArray().ToList();
        Assert.Equal(4, tasks.Count);
        Assert.Equal(earlier.Id, tasks[0].GetProperty("id").GetString());
        Assert.Equal([true, false, true, false], tasks.Select(Replayed));
        Assert.Equal(tasks[1].GetProperty("id").GetString(), tasks[2].GetProperty("id").GetString());
        Assert.Equal(before + 2, await fixture.ParkedCount());

        foreach (var id in tasks.Select(t => t.GetProperty("id").GetString()!).Distinct())
        {
            await _api.CancelAsync(id);
        }

        static bool Replayed(JsonElement task) => task.TryGetProperty("replayed", out var replayed) && replayed.GetBoolean();
    }

    [Fact]
    public async Task A_replayed_item_takes_no_room_in_its_queue()
    {
        // tiny holds 2: the earlier task plus one new one fit, though the batch has two items for it.
        var key = Key();
        var earlier = await _api.SubmitAsync(new SubmitTaskRequest { Type = "echo", Queue = "tiny", IdempotencyKey = key });
        try
        {
            using var response = await Batch(new SubmitTaskRequest { Type = "echo", Queue = "tiny", IdempotencyKey = key }, new SubmitTaskRequest { Type = "echo", Queue = "tiny" });

            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            var accepted = (await response.Content.ReadFromJsonAsync<BatchSubmitResponse>(TaskEngineJson.Options))!.Tasks;
            Assert.Equal(earlier.Id, accepted[0].Id);
            await _api.CancelAsync(accepted[1].Id);
        }
        finally
        {
            await _api.CancelAsync(earlier.Id);
        }
    }

    private Task<HttpResponseMessage> Batch(params SubmitTaskRequest[] tasks) =>
        _http.PostAsJsonAsync("/api/tasks/batch", new BatchSubmitRequest { Tasks = tasks }, TaskEngineJson.Options);

    private static string Key() => "batch-" + Guid.NewGuid().ToString("N");

    private static SubmitTaskRequest Parked(int n, string? key = null) =>
        new() { Type = "echo", Queue = "parked", Payload = JsonSerializer.SerializeToElement(new { n }), IdempotencyKey = key };
}
