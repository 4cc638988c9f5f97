using System.Text.Json;

namespace Orleans.TaskEngine.Handlers;

/// <summary><c>echo</c>: returns its payload. The no-op task of tests and benchmarks.</summary>
public sealed class EchoHandler : ITaskHandler
{
    public const string TypeName = "echo";

    public Task<JsonElement?> HandleAsync(TaskHandlerContext context, CancellationToken cancellationToken) =>
        Task.FromResult<JsonElement?>(context.Payload);
}
