using Microsoft.AspNetCore.Diagnostics;
using Orleans.Runtime;
using Orleans.Runtime.Messaging;
using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Api.Hosting;

/// <summary>
/// Turns failures of what the API depends on into 503 problem documents with <c>Retry-After</c>: the task store is
/// down, or the cluster cannot be reached. A request cut short by its client is not an error.
/// </summary>
public sealed partial class EngineExceptionHandler(IProblemDetailsService problems, ILogger<EngineExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var (status, title, detail) = exception switch
        {
            TaskEngineUnavailableException e => (StatusCodes.Status503ServiceUnavailable, "The task store is unavailable", e.Message),
            SiloUnavailableException or ConnectionFailedException or OrleansMessageRejectionException or TimeoutException =>
                (StatusCodes.Status503ServiceUnavailable, "The engine cluster is unavailable", exception.Message),
            BadHttpRequestException e => (e.StatusCode, "The request is not valid", e.Message),
            OperationCanceledException when httpContext.RequestAborted.IsCancellationRequested => (499, "Client closed the request", exception.Message),
            _ => (0, string.Empty, string.Empty),
        };
        if (status == 0)
        {
            return false;
        }

        LogMapped(exception, status, httpContext.Request.Path);
        httpContext.Response.StatusCode = status;
        if (status == StatusCodes.Status503ServiceUnavailable)
        {
            httpContext.Response.Headers.RetryAfter = "5";
        }

        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        });
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Answered {Status} for {Path}")]
    private partial void LogMapped(Exception exception, int status, string path);
}
