using Orleans.TaskEngine.Api.Endpoints;
using Orleans.TaskEngine.Api.Security;

namespace Orleans.TaskEngine.Api.WebSockets;

/// <summary><c>GET /api/ws</c>: task events over one WebSocket, by task and by queue.</summary>
public static class WebSocketEndpoints
{
    public static RouteGroupBuilder MapWebSocketEndpoints(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var options = ((IEndpointRouteBuilder)api).ServiceProvider.GetRequiredService<IConfiguration>().GetSection(WebSocketOptions.Section).Get<WebSocketOptions>() ?? new WebSocketOptions();
        if (options.Validate() is { } problem)
        {
            throw new InvalidOperationException(problem);
        }

        api.MapGet("/ws", (HttpContext http, IGrainFactory grains, TimeProvider time, ILoggerFactory loggers) => ServeAsync(http, grains, options, time, loggers))
            .WithName("taskEventsWebSocket")
            .WithSummary("WebSocket: task events by task (history, then live) and by queue (live), one JSON text frame each.")
            .RequireAuthorization(ApiPolicies.Submitter)
            // A WebSocket is not describable in OpenAPI: an upgrade, then frames both ways. The README describes it.
            .ExcludeFromDescription();
        return api;
    }

    private static async Task<IResult> ServeAsync(HttpContext http, IGrainFactory grains, WebSocketOptions options, TimeProvider time, ILoggerFactory loggers)
    {
        if (!http.WebSockets.IsWebSocketRequest)
        {
            return ApiProblems.BadRequest("GET /api/ws is a WebSocket: send an upgrade request (Connection: Upgrade, Upgrade: websocket).");
        }

        // A bad query string is refused before the upgrade, with a problem that says why.
        var (subscription, error) = WebSocketSubscriptionParser.FromQuery(http.Request.Query);
        if (subscription is null)
        {
            return ApiProblems.BadRequest(error!);
        }

        if (subscription.Tasks.Count > options.MaxTasks || subscription.Queues.Count > options.MaxQueues)
        {
            return ApiProblems.BadRequest($"A connection may follow at most {options.MaxTasks} tasks and {options.MaxQueues} queues.");
        }

        using var socket = await http.WebSockets.AcceptWebSocketAsync();
        using var connection = new WebSocketConnection(socket, grains, options, time, loggers.CreateLogger<WebSocketConnection>());
        await connection.RunAsync(subscription, http.RequestAborted);
        return Results.Empty;
    }
}
