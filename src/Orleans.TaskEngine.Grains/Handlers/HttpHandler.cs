using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Orleans.TaskEngine.Hosting;

namespace Orleans.TaskEngine.Handlers;

/// <summary>
/// <c>http</c>: sends <c>{"url", "method"?, "headers"?, "body"?}</c> and returns <c>{"status", "body"}</c>.
/// Only hosts on <see cref="HttpHandlerOptions.AllowedHosts"/> are called (empty by default: nothing is).
/// Redirects are followed here, at most <see cref="HttpHandlerOptions.MaxRedirects"/> and only to allowed hosts.
/// A 5xx or a network error is retried; a refused host or redirect, a bad payload or a 4xx is permanent.
/// </summary>
public sealed class HttpHandler(IHttpClientFactory clients, IOptions<HttpHandlerOptions> options) : ITaskHandler
{
    public const string TypeName = "http";
    public const string ClientName = "TaskEngine.Http";

    public async Task<JsonElement?> HandleAsync(TaskHandlerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var request = HttpTaskRequest.Parse(context.Payload);
        if (!IsAllowed(request.Url.Host))
        {
            throw new PermanentTaskException(
                $"Host '{request.Url.Host}' is not on TaskEngine:Http:AllowedHosts; the http handler calls only allowed hosts.");
        }

        // The client does not follow redirects (see AddTaskEngine): each one is followed here, after its host is checked.
        var client = clients.CreateClient(ClientName);
        var redirects = 0;
        while (true)
        {
            using var message = request.ToMessage();
            using var response = await client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            var status = (int)response.StatusCode;
            if (status is 301 or 302 or 303 or 307 or 308 && response.Headers.Location is { } location)
            {
                request = FollowRedirect(request, new Uri(request.Url, location), status, ++redirects);
                continue;
            }

            var body = await ReadBodyAsync(response, cancellationToken);
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
    }

    private HttpTaskRequest FollowRedirect(HttpTaskRequest from, Uri to, int status, int redirects)
    {
        var max = options.Value.MaxRedirects;
        if (redirects > max)
        {
            throw new PermanentTaskException($"{from.Url} answered {status}, redirect number {redirects}; the http handler follows at most {max} redirects (TaskEngine:Http:MaxRedirects).");
        }

        if (to.Scheme != Uri.UriSchemeHttp && to.Scheme != Uri.UriSchemeHttps)
        {
            throw new PermanentTaskException($"{from.Url} redirected to a {to.Scheme} URL; the http handler follows only http and https.");
        }

        if (from.Url.Scheme == Uri.UriSchemeHttps && to.Scheme == Uri.UriSchemeHttp)
        {
            throw new PermanentTaskException($"{from.Url} redirected from https to plain http ({to}); the http handler does not follow that.");
        }

        if (!IsAllowed(to.Host))
        {
            throw new PermanentTaskException(
                $"{from.Url} redirected ({status}) to host '{to.Host}', which is not on TaskEngine:Http:AllowedHosts; the http handler follows redirects only to allowed hosts.");
        }

        return from.RedirectTo(to, status);
    }

    private bool IsAllowed(string host) => options.Value.Allows(host);

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
