using System.Net;
using System.Net.Http.Json;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Orleans.TaskEngine.Http;
using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Client;

/// <summary>
/// A typed client of the REST API: submit, get, wait, cancel, retry, stream events. Give it an
/// <see cref="HttpClient"/> whose BaseAddress is the API (and an Authorization header when keys are on).
/// Errors arrive as <see cref="TaskEngineApiException"/> with the problem document's words.
/// </summary>
public sealed class TaskEngineHttpClient(HttpClient http)
{
    private static readonly JsonSerializerOptions Json = TaskEngineJson.Options;

    /// <summary>Submits a task; returns its id and status at once.</summary>
    public async Task<TaskAccepted> SubmitAsync(SubmitTaskRequest request, string? idempotencyKey = null, CancellationToken cancellationToken = default)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, "api/tasks") { Content = JsonContent.Create(request, options: Json) };
        if (idempotencyKey is not null)
        {
            message.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        using var response = await http.SendAsync(message, cancellationToken);
        return await ReadAsync<TaskAccepted>(response, cancellationToken);
    }

    /// <summary>Submits and waits up to <paramref name="wait"/> for the task to finish (the synchronous mode).</summary>
    public async Task<TaskResource?> SubmitAndWaitAsync(SubmitTaskRequest request, TimeSpan wait, CancellationToken cancellationToken = default)
    {
        using var response = await http.PostAsJsonAsync($"api/tasks?wait={(int)wait.TotalSeconds}", request, Json, cancellationToken);
        if (response.StatusCode == HttpStatusCode.OK)
        {
            return await ReadAsync<TaskResource>(response, cancellationToken);
        }

        var accepted = await ReadAsync<TaskAccepted>(response, cancellationToken);
        return await GetAsync(accepted.Id, cancellationToken);
    }

    public async Task<IReadOnlyList<TaskAccepted>> SubmitBatchAsync(IReadOnlyList<SubmitTaskRequest> tasks, CancellationToken cancellationToken = default)
    {
        using var response = await http.PostAsJsonAsync("api/tasks/batch", new BatchSubmitRequest { Tasks = tasks }, Json, cancellationToken);
        return (await ReadAsync<BatchSubmitResponse>(response, cancellationToken)).Tasks;
    }

    /// <summary>The task now, or null when there is no such task.</summary>
    public async Task<TaskResource?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        using var response = await http.GetAsync($"api/tasks/{Uri.EscapeDataString(id)}", cancellationToken);
        return response.StatusCode == HttpStatusCode.NotFound ? null : await ReadAsync<TaskResource>(response, cancellationToken);
    }

    /// <summary>Waits (long polls of at most 60 s) until the task finishes or <paramref name="timeout"/> passes.</summary>
    public async Task<TaskResource?> WaitAsync(string id, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (true)
        {
            var left = Math.Clamp((deadline - DateTimeOffset.UtcNow).TotalSeconds, 0, 60);
            var path = FormattableString.Invariant($"api/tasks/{Uri.EscapeDataString(id)}/wait?timeout={left:F1}");
            using var response = await http.GetAsync(path, cancellationToken);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                return null;
            }

            var task = await ReadAsync<TaskResource>(response, cancellationToken);
            if (task.Status.IsTerminal() || DateTimeOffset.UtcNow >= deadline)
            {
                return task;
            }
        }
    }

    public Task<CommandResponse> CancelAsync(string id, string? reason = null, CancellationToken cancellationToken = default) =>
        CommandAsync($"api/tasks/{Uri.EscapeDataString(id)}/cancel" + (reason is null ? string.Empty : $"?reason={Uri.EscapeDataString(reason)}"), cancellationToken);

    public Task<CommandResponse> RetryAsync(string id, CancellationToken cancellationToken = default) =>
        CommandAsync($"api/tasks/{Uri.EscapeDataString(id)}/retry", cancellationToken);

    /// <summary>The task's events: its history so far, then each new one until it finishes.</summary>
    public IAsyncEnumerable<TaskEvent> StreamEventsAsync(string id, CancellationToken cancellationToken = default) =>
        StreamEventsAsync(id, null, cancellationToken);

    /// <summary>
    /// The task's events after <paramref name="afterSequence"/> (the <see cref="TaskEvent.Sequence"/> of the last event
    /// the caller has, sent as <c>Last-Event-ID</c>), then each new one until it finishes: how to resume a dropped stream
    /// without seeing an event twice or missing one.
    /// </summary>
    public async IAsyncEnumerable<TaskEvent> StreamEventsAsync(string id, long? afterSequence, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"api/tasks/{Uri.EscapeDataString(id)}/events");
        if (afterSequence is { } after)
        {
            request.Headers.Add("Last-Event-ID", after.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        await foreach (var item in SseParser.Create(stream).EnumerateAsync(cancellationToken))
        {
            if (JsonSerializer.Deserialize<TaskEvent>(item.Data, Json) is { } e)
            {
                yield return e;
            }
        }
    }

    private async Task<CommandResponse> CommandAsync(string path, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsync(path, content: null, cancellationToken);
        return await ReadAsync<CommandResponse>(response, cancellationToken);
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await EnsureSuccessAsync(response, cancellationToken);
        return await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken)
            ?? throw new TaskEngineApiException($"The API answered {(int)response.StatusCode} with an empty body.");
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        string? title = null;
        string? detail = null;
        try
        {
            using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            title = problem.RootElement.TryGetProperty("title", out var t) ? t.GetString() : null;
            detail = problem.RootElement.TryGetProperty("detail", out var d) ? d.GetString() : null;
        }
        catch (JsonException)
        {
            // Not a problem document: the status says enough.
        }

        var retryAfter = response.Headers.RetryAfter?.Delta;
        throw new TaskEngineApiException(response.StatusCode, title ?? response.ReasonPhrase, detail, retryAfter);
    }
}
