using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TaskEngine.Diagnostics;
using Orleans.TaskEngine.Handlers;
using Orleans.TaskEngine.Scheduling;
using Orleans.TaskEngine.Tasks;
using Orleans.TaskEngine.Grains;

namespace Orleans.TaskEngine.Workers;

/// <summary>The execution loop: start the attempt, run its handler off the grain's turn, free the slot, report.</summary>
public sealed partial class WorkerGrain
{
    private static readonly TimeSpan FirstReportRetryDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxReportRetryDelay = TimeSpan.FromSeconds(5);

    private async Task RunAsync(string taskId, WorkerExecution execution)
    {
        var task = _grains.GetGrainByKey<ITaskProtocolGrain>(taskId);
        var abandoned = false;
        try
        {
            StartResult start;
            try
            {
                start = await task.TryStart(Id, SiloName);
            }
            catch (Exception ex)
            {
                LogStartFailed(ex, taskId, Id);
                return;
            }

            if (start.WorkItem is not { } item)
            {
                return;
            }

            var handlerServices = _services;
            var handlers = _handlers;

            // Flows into the handler's Task.Run and the report below: their log lines name the task and attempt.
            using var logScope = _logger.BeginScope(new TaskLogScope(taskId, item.Type, item.Attempt, Id));

            // Off the grain's scheduler: a handler may block or run for minutes without holding up this grain.
            var handler = Task.Run(() => ExecuteAsync(handlers, handlerServices, task, item, execution), CancellationToken.None);
            execution.Started(item.Attempt, item.TimeoutSeconds, handler);
            var (result, error) = await handler;

            // The slot is free as soon as the handler is done, not once the task grain has stored the outcome:
            // otherwise every slot would sit idle for the length of that write.
            if (!execution.TryRelease())
            {
                // Abandoned after ignoring its cancellation: its slot and its attempt were let go then, and the task
                // has moved on (its next attempt may even run here now); this late result must count for nothing.
                abandoned = true;
                _ledger.Abandoned.TryRemove(execution, out _);
                LogLateResult(taskId, Id, item.Attempt, error?.Kind ?? "completed");
                return;
            }

            ReleaseSlot(taskId, execution);

            if (error is null)
            {
                _ledger.CountCompleted();
            }
            else
            {
                _ledger.CountFailed();
            }

            // ReportAsync, inlined: the hot path pays for no extra state machine.
            try
            {
                await (error is null ? task.ReportCompleted(item.Attempt, result) : task.ReportFailed(item.Attempt, error));
            }
            catch (Exception ex)
            {
                await RetryReportAsync(task, taskId, item.Attempt, result, error, ex);
            }
        }
        catch (Exception ex)
        {
            // Not expected (the report retries on its own): the task's liveness check re-drives the task.
            LogRunFailed(ex, taskId, Id);
        }
        finally
        {
            if (!abandoned)
            {
                if (execution.TryRelease())
                {
                    ReleaseSlot(taskId, execution);
                }

                _ledger.Remove(taskId, execution);
            }

            execution.Dispose();
        }
    }

    /// <summary>
    /// Tells the task grain how the attempt ended. Until it has answered (done, or unchanged because the task moved on:
    /// a write that did land, a timeout), the attempt stays in the ledger, so the worker keeps answering that it runs it:
    /// a report lost to one database blip must not make the task's liveness check run a finished attempt again.
    /// </summary>
    private async Task ReportAsync(ITaskProtocolGrain task, string taskId, int attempt, string? result, TaskError? error)
    {
        try
        {
            await (error is null ? task.ReportCompleted(attempt, result) : task.ReportFailed(attempt, error));
        }
        catch (Exception ex)
        {
            await RetryReportAsync(task, taskId, attempt, result, error, ex);
        }
    }

    private async Task RetryReportAsync(ITaskProtocolGrain task, string taskId, int attempt, string? result, TaskError? error, Exception failure)
    {
        LogReportRetrying(failure, taskId, Id, attempt);
        var started = Stopwatch.GetTimestamp();
        var delay = FirstReportRetryDelay;
        for (var tries = 1; ; tries++)
        {
            if (Stopwatch.GetElapsedTime(started) + delay > _options.ReportRetryLimit)
            {
                LogReportAbandoned(failure, taskId, Id, attempt, tries, _options.ReportRetryLimit);
                return;
            }

            try
            {
                await Task.Delay(delay, _siloStopped);
            }
            catch (OperationCanceledException)
            {
                LogReportAbandonedAtStop(failure, taskId, Id, attempt, tries);
                return;
            }

            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxReportRetryDelay.Ticks));
            try
            {
                var answer = await (error is null ? task.ReportCompleted(attempt, result) : task.ReportFailed(attempt, error));
                LogReportDelivered(taskId, Id, attempt, tries + 1, answer.Message);
                return;
            }
            catch (Exception ex)
            {
                failure = ex;
                LogReportFailedAgain(ex, taskId, Id, attempt, tries + 1);
            }
        }
    }

    private static async Task<(string? Result, TaskError? Error)> ExecuteAsync(
        TaskHandlerRegistry handlers, IServiceProvider services, ITaskProtocolGrain task, TaskWorkItem item, WorkerExecution execution)
    {
        var token = execution.Cancellation.Token;
        try
        {
            await using var scope = services.CreateAsyncScope();
            var handler = handlers.Create(scope.ServiceProvider, item.Type)
                ?? throw new PermanentTaskException($"No handler for task type '{item.Type}' on this silo.");
            using var payload = JsonDocument.Parse(item.Payload);
            var context = new TaskHandlerContext
            {
                TaskId = item.TaskId,
                Type = item.Type,
                Payload = payload.RootElement,
                Attempt = item.Attempt,
                MaxAttempts = item.MaxAttempts,
                Progress = new TaskProgressReporter(task, item.Attempt),
            };
            token.ThrowIfCancellationRequested();
            var result = await handler.HandleAsync(context, token);
            return (result?.GetRawText() ?? "null", null);
        }
        catch (PermanentTaskException ex)
        {
            return (null, Error(TaskErrorKinds.Permanent, ex.Message));
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            return (null, execution.CancelReason switch
            {
                StoppingReason => HandedBack(item.Attempt, "its handler stopped when cancelled"),
                TimeoutReason => Error(TaskErrorKinds.Timeout, "the handler was cancelled (timeout)"),
                _ => Error(TaskErrorKinds.Cancelled, $"the handler was cancelled ({execution.CancelReason ?? "cancelled"})"),
            });
        }
        catch (Exception ex)
        {
            return (null, Error(TaskErrorKinds.Error, $"{ex.GetType().Name}: {ex.Message}"));
        }
    }

    /// <summary>
    /// Tells schedulers about freed slots in batches: the flush runs after the work already queued on this
    /// grain, so under load one message carries many releases.
    /// </summary>
    private async Task FlushReleasesAsync()
    {
        await Task.Yield();
        foreach (var (queue, taskIds) in _releases)
        {
            _grains.GetGrainByKey<ISchedulerGrain>(queue).TasksReleased(Id, [.. taskIds]).Ignore();
        }

        _releases.Clear();
    }

    private static TaskError Error(string kind, string message) => new() { Kind = kind, Message = message };

    /// <summary>Frees the execution's slot; call only after winning <see cref="WorkerExecution.TryRelease"/>.</summary>
    private void ReleaseSlot(string taskId, WorkerExecution execution)
    {
        _ledger.FreeSlot();
        if (!_releases.TryGetValue(execution.Queue, out var released))
        {
            _releases[execution.Queue] = released = [];
        }

        released.Add(taskId);
        if (_releases.Count == 1 && released.Count == 1)
        {
            _ = FlushReleasesAsync();
        }

        var free = FreeSlots;
        if (_refusedQueues.Count > 0 && Active)
        {
            foreach (var queue in _refusedQueues)
            {
                if (queue != execution.Queue)
                {
                    _grains.GetGrainByKey<ISchedulerGrain>(queue).WorkerAvailable(Id, free).Ignore();
                }
            }

            _refusedQueues.Clear();
        }
    }
}
