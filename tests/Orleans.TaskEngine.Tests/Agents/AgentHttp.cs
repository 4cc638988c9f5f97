using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Orleans.TaskEngine.Tests.Agents;

/// <summary>The agent protocol over HTTP, as a test drives it: raw status codes and JSON, no client library.</summary>
public sealed class AgentHttp(HttpClient http)
{
    public async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is string raw)
        {
            request.Content = new StringContent(raw, System.Text.Encoding.UTF8, "application/json");
        }
        else if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var json = text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
        return (response.StatusCode, json);
    }

    public async Task<string> RegisterAsync(string name, string[] taskTypes, int concurrency = 3, string[]? queues = null)
    {
        var (status, body) = await SendAsync(HttpMethod.Post, "/api/agents", new { name, taskTypes, concurrency, queues = queues ?? ["default"] });
        Assert.True(status == HttpStatusCode.Created, $"register answered {status}: {body}");
        return body.GetProperty("id").GetString()!;
    }

    public async Task<JsonElement[]> PollAsync(string agentId, int wait = 5)
    {
        var (status, body) = await SendAsync(HttpMethod.Post, $"/api/agents/{agentId}/poll?wait={wait}");
        Assert.True(status == HttpStatusCode.OK, $"poll answered {status}: {body}");
        return [.. body.GetProperty("tasks").EnumerateArray()];
    }

    public async Task<string[]> HeartbeatAsync(string agentId, params string[] running)
    {
        var (status, body) = await SendAsync(HttpMethod.Post, $"/api/agents/{agentId}/heartbeat", new { runningTaskIds = running });
        Assert.True(status == HttpStatusCode.OK, $"heartbeat answered {status}: {body}");
        return [.. body.GetProperty("cancelledTaskIds").EnumerateArray().Select(e => e.GetString()!)];
    }

    public Task<(HttpStatusCode Status, JsonElement Body)> CompleteAsync(JsonElement lease, object? result = null) =>
        SendAsync(HttpMethod.Post, $"/api/tasks/{lease.GetProperty("id").GetString()}/complete", new { leaseToken = lease.GetProperty("leaseToken").GetString(), result });

    public Task<(HttpStatusCode Status, JsonElement Body)> FailAsync(JsonElement lease, string message, bool permanent = false) =>
        SendAsync(HttpMethod.Post, $"/api/tasks/{lease.GetProperty("id").GetString()}/fail", new { leaseToken = lease.GetProperty("leaseToken").GetString(), error = new { message, permanent } });

    public async Task<string> SubmitAsync(string type, string priority = "normal", string queue = "default", object? payload = null)
    {
        var (status, body) = await SendAsync(HttpMethod.Post, "/api/tasks", new { type, priority, queue, payload = payload ?? new { } });
        Assert.True(status == HttpStatusCode.Accepted, $"submit answered {status}: {body}");
        return body.GetProperty("id").GetString()!;
    }

    public async Task<JsonElement> GetTaskAsync(string taskId)
    {
        var (status, body) = await SendAsync(HttpMethod.Get, $"/api/tasks/{taskId}");
        Assert.True(status == HttpStatusCode.OK, $"get answered {status}: {body}");
        return body;
    }

    public async Task<JsonElement> QueueAsync(string queue)
    {
        var (_, body) = await SendAsync(HttpMethod.Get, "/api/queues");
        return body.EnumerateArray().First(q => q.GetProperty("queue").GetString() == queue);
    }

    public async Task<bool> QueueListsWorkerAsync(string queue, string workerId)
    {
        var (_, body) = await SendAsync(HttpMethod.Get, "/api/queues");
        return body.EnumerateArray().Any(q => q.GetProperty("queue").GetString() == queue
            && q.GetProperty("workers").EnumerateArray().Any(w => w.GetString() == workerId));
    }

    /// <summary>Registers an agent and heartbeats for it every 300 ms until disposed, as a live agent would.</summary>
    public async Task<AliveAgent> RegisterAliveAsync(string name, string[] taskTypes, int concurrency = 3, string[]? queues = null)
    {
        var id = await RegisterAsync(name, taskTypes, concurrency, queues);
        return new AliveAgent(id, this);
    }
}
