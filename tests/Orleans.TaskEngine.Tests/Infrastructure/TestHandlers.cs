using System.Text.Json;
using Orleans.TaskEngine.Handlers;
using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Tests.Infrastructure;

/// <summary>
/// <c>record</c>: records its start under <c>key</c>, then waits for the gate <c>gate</c> (if any) or <c>ms</c>; with
/// <c>"fail": true</c> it then fails permanently instead of completing.
/// </summary>
public sealed class RecordingHandler : ITaskHandler
{
    public async Task<JsonElement?> HandleAsync(TaskHandlerContext context, CancellationToken cancellationToken)
    {
        var key = context.Payload.GetProperty("key").GetString()!;
        TestProbe.RecordStart(key, context.TaskId);
        if (context.Payload.TryGetProperty("gate", out var gate))
        {
            await TestProbe.Gate(gate.GetString()!).WaitAsync(cancellationToken);
        }

        if (context.Payload.TryGetProperty("ms", out var ms))
        {
            await Task.Delay(ms.GetInt32(), cancellationToken);
        }

        if (context.Payload.TryGetProperty("fail", out var fail) && fail.GetBoolean())
        {
            throw new PermanentTaskException("asked to fail");
        }

        return JsonSerializer.SerializeToElement(new { context.TaskId });
    }
}

/// <summary><c>flaky</c>: fails its first <c>failTimes</c> attempts, then succeeds.</summary>
public sealed class FlakyHandler : ITaskHandler
{
    public Task<JsonElement?> HandleAsync(TaskHandlerContext context, CancellationToken cancellationToken)
    {
        var failTimes = context.Payload.GetProperty("failTimes").GetInt32();
        if (context.Attempt <= failTimes)
        {
            throw new InvalidOperationException($"flaky failure on attempt {context.Attempt}");
        }

        return Task.FromResult<JsonElement?>(JsonSerializer.SerializeToElement(new { attempt = context.Attempt }));
    }
}

/// <summary><c>bad-payload</c>: always fails permanently.</summary>
public sealed class PermanentFailureHandler : ITaskHandler
{
    public Task<JsonElement?> HandleAsync(TaskHandlerContext context, CancellationToken cancellationToken) =>
        throw new PermanentTaskException("the payload lacks a customer id");
}

/// <summary><c>hang</c>: waits until cancelled and records that its token fired.</summary>
public sealed class HangingHandler : ITaskHandler
{
    /// <summary>The <see cref="TestProbe"/> key its starts are recorded under.</summary>
    public const string StartKey = "hang";

    public async Task<JsonElement?> HandleAsync(TaskHandlerContext context, CancellationToken cancellationToken)
    {
        TestProbe.RecordStart(StartKey, context.TaskId);
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            TestProbe.RecordCancelled(context.TaskId);
            throw;
        }

        return null;
    }
}

/// <summary><c>progress</c>: reports three progress steps, then completes.</summary>
public sealed class ProgressHandler : ITaskHandler
{
    public async Task<JsonElement?> HandleAsync(TaskHandlerContext context, CancellationToken cancellationToken)
    {
        for (var step = 1; step <= 3; step++)
        {
            context.Progress.Report(new TaskProgress { Percent = step / 3.0, Message = $"step {step}" });

            // Work between reports, as a real handler does; progress is fire-and-forget.
            await Task.Delay(50, cancellationToken);
        }

        return JsonSerializer.SerializeToElement(new { steps = 3 });
    }
}

/// <summary>
/// <c>stubborn</c>: a handler that ignores its cancellation token. It records its start under <c>key</c> as
/// <c>{taskId}/{attempt}</c>, blocks on the gate <c>{gate}-{attempt}</c> whatever its token says, records its return the
/// same way, and returns <c>{"attempt": n}</c>.
/// </summary>
public sealed class StubbornHandler : ITaskHandler
{
    public async Task<JsonElement?> HandleAsync(TaskHandlerContext context, CancellationToken cancellationToken)
    {
        var key = context.Payload.GetProperty("key").GetString()!;
        var run = $"{context.TaskId}/{context.Attempt}";
        TestProbe.RecordStart(key, run);

        // Deliberately not the token: this handler stands for one that never looks at it.
        await TestProbe.Gate($"{context.Payload.GetProperty("gate").GetString()}-{context.Attempt}");
        TestProbe.RecordReturn(key, run);
        return JsonSerializer.SerializeToElement(new { attempt = context.Attempt });
    }
}
