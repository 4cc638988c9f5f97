using System.Text.Json;
using Orleans.TaskEngine.Handlers;
using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Tests.Infrastructure;

/// <summary><c>progress-gate</c>: reports progress "before", waits for the gate <c>gate</c>, reports "after", completes.</summary>
public sealed class GatedProgressHandler : ITaskHandler
{
    public async Task<JsonElement?> HandleAsync(TaskHandlerContext context, CancellationToken cancellationToken)
    {
        context.Progress.Report(new TaskProgress { Percent = 0.25, Message = "before" });
        await TestProbe.Gate(context.Payload.GetProperty("gate").GetString()!).WaitAsync(cancellationToken);
        context.Progress.Report(new TaskProgress { Percent = 0.75, Message = "after" });
        return JsonSerializer.SerializeToElement(new { done = true });
    }
}
