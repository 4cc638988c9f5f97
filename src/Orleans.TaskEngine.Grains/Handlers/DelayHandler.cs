using System.Text.Json;

namespace Orleans.TaskEngine.Handlers;

/// <summary><c>delay</c>: waits <c>{"ms": N}</c> milliseconds, honouring cancellation, and returns <c>{"waitedMs": N}</c>.</summary>
public sealed class DelayHandler : ITaskHandler
{
    public const string TypeName = "delay";

    public async Task<JsonElement?> HandleAsync(TaskHandlerContext context, CancellationToken cancellationToken)
    {
        var ms = ReadMilliseconds(context.Payload);
        await Task.Delay(TimeSpan.FromMilliseconds(ms), cancellationToken);
        return JsonSerializer.SerializeToElement(new { waitedMs = ms });
    }

    private static long ReadMilliseconds(JsonElement payload)
    {
        if (payload.ValueKind == JsonValueKind.Object
            && payload.TryGetProperty("ms", out var ms)
            && ms.ValueKind == JsonValueKind.Number
            && ms.TryGetInt64(out var value)
            && value >= 0
            && value <= (long)TimeSpan.FromDays(1).TotalMilliseconds)
        {
            return value;
        }

        throw new PermanentTaskException("delay expects a payload {\"ms\": N} with 0 <= N <= 86400000.");
    }
}
