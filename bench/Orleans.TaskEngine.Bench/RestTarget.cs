using System.Net.Http.Headers;
using System.Text.Json;
using Orleans.TaskEngine.Client;
using Orleans.TaskEngine.Http;
using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Bench;

/// <summary>The REST API at a URL, through the typed client. The engine runs elsewhere: its memory and CPU are not seen here.</summary>
public sealed class RestTarget : IBenchTarget
{
    private readonly HttpClient _http;
    private readonly TaskEngineHttpClient _api;

    public RestTarget(string baseUrl, string? apiKey)
    {
        _http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 512 })
        {
            BaseAddress = new Uri(baseUrl.EndsWith('/') ? baseUrl : baseUrl + "/"),
            Timeout = TimeSpan.FromMinutes(5),
        };
        if (apiKey is not null)
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        }

        _api = new TaskEngineHttpClient(_http);
    }

    public long? EnginePeakWorkingSet => null;

    public TimeSpan? EngineCpu => null;

    public async Task<string> SubmitAsync(TaskSubmission submission, CancellationToken cancellationToken)
    {
        using var payload = JsonDocument.Parse(submission.Payload);
        var accepted = await _api.SubmitAsync(new SubmitTaskRequest
        {
            Type = submission.Type,
            Payload = payload.RootElement.Clone(),
            Queue = submission.Queue,
            Priority = submission.Priority.ToString().ToLowerInvariant(),
        }, cancellationToken: cancellationToken);
        return accepted.Id;
    }

    public async Task<TaskOutcome?> WaitAsync(string id, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var task = await _api.WaitAsync(id, timeout, cancellationToken);
        return task is null ? null : new TaskOutcome(task.Status, task.CreatedAt, task.StartedAt, task.FinishedAt);
    }

    public ValueTask DisposeAsync()
    {
        _http.Dispose();
        return ValueTask.CompletedTask;
    }
}
