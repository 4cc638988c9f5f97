using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Orleans.TaskEngine.Handlers;

/// <summary>The payload of an <c>http</c> task.</summary>
internal sealed record HttpTaskRequest(Uri Url, HttpMethod Method, IReadOnlyDictionary<string, string> Headers, string? Body)
{
    public static HttpTaskRequest Parse(JsonElement payload)
    {
        if (payload.ValueKind != JsonValueKind.Object
            || !payload.TryGetProperty("url", out var urlElement)
            || urlElement.ValueKind != JsonValueKind.String
            || !Uri.TryCreate(urlElement.GetString(), UriKind.Absolute, out var url)
            || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            throw new PermanentTaskException("http expects a payload {\"url\": \"http(s)://...\", \"method\"?, \"headers\"?, \"body\"?}.");
        }

        var method = payload.TryGetProperty("method", out var m) && m.ValueKind == JsonValueKind.String
            ? new HttpMethod(m.GetString()!.ToUpperInvariant())
            : HttpMethod.Post;

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (payload.TryGetProperty("headers", out var h) && h.ValueKind == JsonValueKind.Object)
        {
            foreach (var header in h.EnumerateObject())
            {
                headers[header.Name] = header.Value.ValueKind == JsonValueKind.String ? header.Value.GetString()! : header.Value.GetRawText();
            }
        }

        string? body = null;
        if (payload.TryGetProperty("body", out var b) && b.ValueKind != JsonValueKind.Null)
        {
            body = b.ValueKind == JsonValueKind.String ? b.GetString() : b.GetRawText();
        }

        return new HttpTaskRequest(url, method, headers, body);
    }

    /// <summary>Headers that carry the caller's credentials: never sent on to another origin by a redirect.</summary>
    private static readonly string[] Credentials = ["Authorization", "Proxy-Authorization", "Cookie"];

    /// <summary>
    /// The request a redirect to <paramref name="location"/> with <paramref name="status"/> asks for, as browsers and
    /// .NET's own redirect handling make it: 303 becomes a GET without a body (HEAD stays HEAD), so does a POST answered
    /// with 301 or 302; 307 and 308 repeat the method and body. Credentials stay behind when the origin changes.
    /// </summary>
    public HttpTaskRequest RedirectTo(Uri location, int status)
    {
        ArgumentNullException.ThrowIfNull(location);
        var toGet = (status == 303 && Method != HttpMethod.Head) || (status is 301 or 302 && Method == HttpMethod.Post);
        var sameOrigin = Uri.Compare(Url, location, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0;
        return this with
        {
            Url = location,
            Method = toGet ? HttpMethod.Get : Method,
            Body = toGet ? null : Body,
            Headers = sameOrigin
                ? Headers
                : Headers.Where(h => !Credentials.Contains(h.Key, StringComparer.OrdinalIgnoreCase)).ToDictionary(StringComparer.OrdinalIgnoreCase),
        };
    }

    public HttpRequestMessage ToMessage()
    {
        var message = new HttpRequestMessage(Method, Url);
        if (Body is not null)
        {
            var contentType = Headers.TryGetValue("Content-Type", out var type) ? type : "application/json";
            message.Content = new StringContent(Body, Encoding.UTF8);
            message.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        foreach (var (name, value) in Headers)
        {
            if (!string.Equals(name, "Content-Type", StringComparison.OrdinalIgnoreCase))
            {
                message.Headers.TryAddWithoutValidation(name, value);
            }
        }

        return message;
    }
}
