using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Orleans.TaskEngine.Hosting;

namespace Orleans.TaskEngine.Handlers;

/// <summary>
/// <c>http</c>: sends <c>{"url", "method"?, "headers"?, "body"?}</c> and returns <c>{"status", "body"}</c>.
/// Only hosts on <see cref="HttpHandlerOptions.AllowedHosts"/> are called (empty by default: nothing is).
/// A 5xx or a network error is retried; a refused host, a bad payload or a 4xx is permanent.
/// </summary>
public sealed class HttpHandler(IHttpClientFactory clients, IOptions<HttpHandlerOptions> options) : ITaskHandler
{
    public const string TypeName = "http";
    public const string ClientName = "TaskEngine.Http";

    public async Task<JsonElement?> HandleAsync(TaskHandlerContext context, CancellationToken cancellationToken)
    {
        var request = HttpTaskRequest.Parse(context.Payload);
        if (!IsAllowed(request.Url.Host))
        {
            throw new PermanentTaskException(
                $"Host '{request.Url.Host}' is not on TaskEngine:Http:AllowedHosts; the http handler calls only allowed hosts.");
        }

        using var message = request.ToMessage();
        using var response = await clients.CreateClient(ClientName).SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        var body = await ReadBodyAsync(response, cancellationToken);
        var status = (int)response.StatusCode;
        if (status >= 500)
        {
            throw new HttpRequestException($"{request.Url} answered {status}.");
        }

        if (status >= 400)
        {
            throw new PermanentTaskException($"{request.Url} answered {status}: {Truncate(body, 500)}");
        }

        return JsonSerializer.SerializeToElement(new { status, body });
    }

    private bool IsAllowed(string host) =>
        options.Value.AllowedHosts.Any(allowed =>
            allowed.StartsWith("*.", StringComparison.Ordinal)
                ? host.EndsWith(allowed[1..], StringComparison.OrdinalIgnoreCase)
                : string.Equals(host, allowed, StringComparison.OrdinalIgnoreCase));

    private async Task<string> ReadBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var limit = options.Value.MaxResponseBytes;
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[limit];
        var read = 0;
        int n;
        while (read < limit && (n = await stream.ReadAsync(buffer.AsMemory(read, limit - read), cancellationToken)) > 0)
        {
            read += n;
        }

        return Encoding.UTF8.GetString(buffer, 0, read);
    }

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..length];
}
