using System.Collections.Specialized;
using System.Net;
using System.Text;

namespace Orleans.TaskEngine.Tests.Infrastructure;

/// <summary>
/// An HTTP listener on a free local port (<c>http://127.0.0.1:{port}/{path}/</c>) that hands each request's headers and
/// body to <paramref name="answer"/> and replies with the status it returns: what webhook and callback receivers share.
/// </summary>
public sealed class LocalReceiver : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Func<NameValueCollection, string, HttpStatusCode> _answer;
    private readonly Task _loop;

    public LocalReceiver(string path, Func<NameValueCollection, string, HttpStatusCode> answer)
    {
        _answer = answer;
        Url = $"http://127.0.0.1:{EngineProcess.FreePort()}/{path}/";
        _listener.Prefixes.Add(Url);
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public string Url { get; }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            context.Response.StatusCode = (int)_answer(context.Request.Headers, await reader.ReadToEndAsync());
            context.Response.Close();
        }
    }

    public void Dispose()
    {
        _listener.Close();
        _loop.Wait(TimeSpan.FromSeconds(5));
    }
}
