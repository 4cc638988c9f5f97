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
    private int _throttled;

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

    /// <summary>Submits answered 429 (rate limit or full queue) and retried after the Retry-After the API gave.</summary>
    public int Throttled => _throttled;

    public async Task<string> SubmitAsync(TaskSubmission submission, CancellationToken cancellationToken)
    {
        using var payload = JsonDocument.Parse(submission.Payload);
        var request = new SubmitTaskRequest
        {
            Type = submission.Type,
            Payload = payload.RootElement.Clone(),
            Queue = submission.Queue,
            Priority = submission.Priority.ToString().ToLowerInvariant(),
        };
        while (true)
        {
            try
            {
                return (await _api.SubmitAsync(request, cancellationToken: cancellationToken)).Id;
            }
            catch (TaskEngineApiException ex) when (ex.Status == System.Net.HttpStatusCode.TooManyRequests)
            {
                // What a well-behaved client does: wait as told, then try again.
                Interlocked.Increment(ref _throttled);
                await Task.Delay(ex.RetryAfter ?? TimeSpan.FromMilliseconds(100), cancellationToken);
            }
        }
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
