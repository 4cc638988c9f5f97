using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Orleans.TaskEngine.Tests.Handlers;

/// <summary>
/// A real HTTP server (Kestrel on 127.0.0.1, a free port) for the <c>http</c> handler's tests: <c>/redirect/{status}?to=</c>
/// answers that status with <c>Location: to</c>; <c>/loop</c> redirects to itself; every other path answers
/// <c>{"final":true}</c>. It records every request it gets. Reach it as <c>localhost</c> (on the tests' allow-list) or as
/// <c>127.0.0.1</c> (the same server under a host name that is not).
/// </summary>
public sealed class LoopbackHttpServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LoopbackHttpServer(WebApplication app) => _app = app;

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    public int Port { get; private set; }

    public static async Task<LoopbackHttpServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new LoopbackHttpServer(app);
        app.Run(server.ServeAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        server.Port = new Uri(address).Port;
        return server;
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    private async Task ServeAsync(HttpContext http)
    {
        using var reader = new StreamReader(http.Request.Body);
        var body = await reader.ReadToEndAsync();
        Requests.Enqueue(new RecordedRequest(
            http.Request.Host.Host, http.Request.Path, http.Request.Method, body,
            http.Request.Headers.Authorization.ToString(), http.Request.Headers.Cookie.ToString()));

        var path = http.Request.Path.Value ?? "/";
        if (path.StartsWith("/redirect/", StringComparison.Ordinal))
        {
            http.Response.StatusCode = int.Parse(path["/redirect/".Length..], System.Globalization.CultureInfo.InvariantCulture);
            http.Response.Headers.Location = http.Request.Query["to"].ToString();
            return;
        }

        if (path == "/loop")
        {
            http.Response.StatusCode = StatusCodes.Status302Found;
            http.Response.Headers.Location = "/loop";
            return;
        }

        http.Response.ContentType = "application/json";
        await http.Response.WriteAsync("""{"final":true}""");
    }
}
