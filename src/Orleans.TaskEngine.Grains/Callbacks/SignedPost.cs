using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace Orleans.TaskEngine.Callbacks;

/// <summary>What alert webhooks and completion callbacks share: the HMAC signature and one JSON POST with a time limit.</summary>
public static class SignedPost
{
    public const string SignatureHeader = "X-TaskEngine-Signature";

    /// <summary>The signature header's value for <paramref name="data"/>: <c>sha256=</c> and the lower-case hex HMAC-SHA256.</summary>
    public static string Sign(string secret, ReadOnlySpan<byte> data)
    {
        ArgumentNullException.ThrowIfNull(secret);
        return "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), data));
    }

    /// <summary>POSTs <paramref name="body"/> as JSON with <paramref name="headers"/>; null on a 2xx, else what went wrong.</summary>
    public static async Task<string?> SendAsync(
        HttpClient client, string url, byte[] body, IEnumerable<KeyValuePair<string, string>> headers, TimeSpan timeout, CancellationToken stopping)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(headers);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
            foreach (var (name, value) in headers)
            {
                request.Headers.Add(name, value);
            }

            using var limit = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            limit.CancelAfter(timeout);
            using var response = await client.SendAsync(request, limit.Token);
            return response.IsSuccessStatusCode ? null : $"answered {(int)response.StatusCode}";
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException && !stopping.IsCancellationRequested)
        {
            return ex.Message;
        }
    }
}
