using System.Net;
using System.Text;
using System.Text.Json;
using Orleans.TaskEngine.Client;
using Orleans.TaskEngine.Tasks;
using Orleans.TaskEngine.Tests.Infrastructure;

namespace Orleans.TaskEngine.Tests.Batches;

/// <summary>
/// A batch with a callback on the API host run as a user runs it: its state is grain state in the configured store. On
/// SQLite the host is killed while the batch is unfinished and started again on the same folder; the callback still
/// runs exactly once, with the counts of every member.
/// </summary>
public sealed class BatchProcessTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(150);
    private readonly TemporaryFolder _folder = new("taskengine-batch-");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task On_SQLite_a_batch_killed_mid_way_and_started_again_still_runs_its_callback_exactly_once()
    {
        string batchId;
        var (first, baseUrl) = await EngineProcess.StartEmbeddedApiAsync(workingDirectory: _folder.Path);
        await using (first)
        {
            using var http = new HttpClient { BaseAddress = baseUrl };
            batchId = await SubmitAsync(http, longMs: 8_000);

            // Unfinished at the kill: the short members done, the long one running.
            await BatchUntil(http, batchId, b => Count(b, "completed") == 2 && Count(b, "running") == 1, first);
            first.Kill();
            await first.WaitForExitAsync(TimeSpan.FromSeconds(30));
        }

        var (second, again) = await EngineProcess.StartEmbeddedApiAsync(workingDirectory: _folder.Path);
        await using (second)
        {
            using var http = new HttpClient { BaseAddress = again };
            await AssertCallbackRanOnceAsync(http, batchId, second);
        }
    }

    [Fact]
    public async Task On_a_memory_process_a_batch_runs_its_callback_once_after_its_members()
    {
        var (host, baseUrl) = await EngineProcess.StartEmbeddedApiAsync();
        await using (host)
        {
            using var http = new HttpClient { BaseAddress = baseUrl };
            var batchId = await SubmitAsync(http, longMs: 1_000);
            await AssertCallbackRanOnceAsync(http, batchId, host);
        }
    }

    private static async Task<string> SubmitAsync(HttpClient http, int longMs)
    {
        var body = $$"""
            {"tasks": [{"type": "delay", "payload": {"ms": 50} }, {"type": "delay", "payload": {"ms": 50} }, {"type": "delay", "payload": {"ms": {{longMs}} } }],
             "callback": {"type": "echo", "payload": {"report": "nightly"} } }
            """;
        using var response = await http.PostAsync("/api/tasks/batch", new StringContent(body, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, text);
        return JsonDocument.Parse(text).RootElement.GetProperty("batchId").GetString()!;
    }

    private static async Task AssertCallbackRanOnceAsync(HttpClient http, string batchId, EngineProcess host)
    {
        var batch = await BatchUntil(http, batchId, b => b.GetProperty("finished").GetBoolean(), host);
        Assert.Equal(3, Count(batch, "completed"));
        var callbackId = batch.GetProperty("callbackTaskId").GetString()!;
        var callback = await new TaskEngineHttpClient(http).WaitAsync(callbackId, Deadline);
        Assert.True(callback is { Status: TaskState.Completed }, $"callback {callbackId} is {callback?.Status.ToString() ?? "gone"}\n{host.Tail()}");
        Assert.Equal(1, callback!.Attempts);
        var payload = callback.Result!.Value;
        Assert.Equal(batchId, payload.GetProperty("batchId").GetString());
        Assert.Equal(3, payload.GetProperty("counts").GetProperty("completed").GetInt32());
        Assert.Equal(0, payload.GetProperty("counts").GetProperty("failed").GetInt32());
        Assert.Equal("nightly", payload.GetProperty("payload").GetProperty("report").GetString());
    }

    private static Task<JsonElement> BatchUntil(HttpClient http, string batchId, Func<JsonElement, bool> done, EngineProcess host) =>
        Eventually.Until(
            async () => JsonDocument.Parse(await http.GetStringAsync($"/api/batches/{batchId}")).RootElement, done, Deadline, $"batch {batchId} as expected\n{host.Tail()}");

    private static int Count(JsonElement batch, string status) => batch.GetProperty("counts").GetProperty(status).GetInt32();
}
