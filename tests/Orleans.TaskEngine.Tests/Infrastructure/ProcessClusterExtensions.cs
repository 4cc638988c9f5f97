using System.Net;
using System.Text.Json;
using Orleans.TaskEngine.Client;
using Orleans.TaskEngine.Http;
using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Tests.Infrastructure;

/// <summary>Submitting and watching many tasks through the REST API of a <see cref="ProcessCluster"/>.</summary>
public static class ProcessClusterExtensions
{
    /// <summary>Submits <paramref name="count"/> <c>delay</c> tasks of <paramref name="ms"/> ms in batches; returns their ids.</summary>
    public static async Task<List<string>> SubmitDelaysAsync(this TaskEngineHttpClient api, int count, int ms)
    {
        var ids = new List<string>(count);
        var payload = JsonSerializer.SerializeToElement(new { ms });
        while (ids.Count < count)
        {
            var batch = Enumerable.Range(0, Math.Min(BatchSubmitRequest.MaxTasks, count - ids.Count))
                .Select(_ => new SubmitTaskRequest { Type = "delay", Payload = payload })
                .ToList();
            ids.AddRange((await api.SubmitBatchAsync(batch)).Select(a => a.Id));
        }

        return ids;
    }

    /// <summary>
    /// Waits for every task to finish, 64 long polls at a time. A call that fails while the cluster heals (a gateway
    /// died, the database restarts) is tried again; a task the API does not know is returned as null: lost.
    /// </summary>
    public static async Task<Dictionary<string, TaskResource?>> WaitAllAsync(this TaskEngineHttpClient api, IReadOnlyCollection<string> ids, TimeSpan timeout)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        var results = new System.Collections.Concurrent.ConcurrentDictionary<string, TaskResource?>();
        using var gate = new SemaphoreSlim(64);
        await Task.WhenAll(ids.Select(async id =>
        {
            await gate.WaitAsync();
            try
            {
                results[id] = await WaitOneAsync(api, id, deadline);
            }
            finally
            {
                gate.Release();
            }
        }));
        return new Dictionary<string, TaskResource?>(results);
    }

    /// <summary>The REST API's view of every live worker (<c>GET /api/workers</c>).</summary>
    public static async Task<JsonElement[]> GetWorkersAsync(this HttpClient http)
    {
        using var response = await http.GetAsync("api/workers");
        response.EnsureSuccessStatusCode();
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return [.. document.RootElement.EnumerateArray().Select(e => e.Clone())];
    }

    private static async Task<TaskResource?> WaitOneAsync(TaskEngineHttpClient api, string id, DateTimeOffset deadline)
    {
        TaskResource? last = null;
        string? lastError = null;
        while (true)
        {
            var left = deadline - DateTimeOffset.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException($"task {id} did not finish in time; last seen: {Describe(last)}; last error: {lastError ?? "none"}");
            }

            try
            {
                last = await api.WaitAsync(id, left < TimeSpan.FromSeconds(20) ? left : TimeSpan.FromSeconds(20));
                if (last is null || last.Status.IsTerminal())
                {
                    return last;
                }
            }
            catch (Exception ex) when (ex is TaskEngineApiException { Status: HttpStatusCode.ServiceUnavailable } or HttpRequestException or TaskCanceledException)
            {
                // The cluster is healing; ask again shortly.
                lastError = ex.Message;
                await Task.Delay(250);
            }
        }
    }

    /// <summary>A task and its history on one line, for failure messages.</summary>
    public static string Describe(TaskResource? task) =>
        task is null ? "(none)" : $"{task.Id} {task.Status} attempts={task.Attempts} silo={task.Silo} history: " +
            string.Join(" | ", task.History.Select(e => $"{e.At:HH:mm:ss.fff} {e.Status} {e.Silo} {e.Message}"));
}
