using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.TaskEngine.Handlers;
using Orleans.TaskEngine.Http;

namespace Orleans.TaskEngine.Client.Agents;

/// <summary>How the agent talks to the API: requests, refusals, and which failures are worth another try.</summary>
public sealed partial class TaskEngineAgent
{
    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, body.GetType(), options: Json);
        }

        if (_options.ApiKey is { } key)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return await _http.SendAsync(request, cancellationToken);
    }

    /// <summary>An error answer as an exception carrying its status and (short) body, for logs and refusals.</summary>
    private static async Task<TaskEngineApiException> RefusalAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        return new TaskEngineApiException(response.StatusCode, response.ReasonPhrase, body.Length > 500 ? body[..500] : body, response.Headers.RetryAfter?.Delta);
    }

    private static bool IsTransient(HttpStatusCode status) =>
        (int)status >= 500 || status is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout;

    /// <summary>Connection failures and HttpClient timeouts (not our own cancellation) are worth another try.</summary>
    private static bool IsTransient(Exception exception, CancellationToken cancellationToken) =>
        exception is HttpRequestException or JsonException
        || (exception is TaskCanceledException && !cancellationToken.IsCancellationRequested);

    private static TimeSpan Backoff(int attempt) => TimeSpan.FromMilliseconds(Math.Min(10_000, 250 * Math.Pow(2, Math.Min(attempt, 10))));
}
