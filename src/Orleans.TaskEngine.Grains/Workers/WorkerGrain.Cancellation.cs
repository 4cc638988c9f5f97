using Orleans.TaskEngine.Tasks;
using Orleans.TaskEngine.Grains;

namespace Orleans.TaskEngine.Workers;

/// <summary>
/// Cancelling handlers, and letting go of those that ignore their token: a slot is freed when its handler returns, so a
/// handler that never looks at its token would hold its slot for good. After the cancellation grace period the worker
/// frees the slot and ends the attempt instead; the handler keeps its thread, and what it returns is dropped.
/// </summary>
public sealed partial class WorkerGrain
{
    /// <summary>
    /// Fires the handler's token; a handler still running a grace period later is abandoned, and
    /// <paramref name="reportIfAbandoned"/>, if any, is reported as the attempt's end (null when the task has moved on).
    /// </summary>
    private async Task CancelHandlerAsync(string taskId, WorkerExecution execution, string reason, TaskError? reportIfAbandoned)
    {
        if (execution.Released)
        {
            // The handler is done: its own report goes on.
            return;
        }

        execution.TrySetCancelReason(reason);
        try
        {
            await execution.Cancellation.CancelAsync();
        }
        catch (ObjectDisposedException)
        {
            // It ended meanwhile.
            return;
        }

        if (!execution.Released)
        {
            _ = AbandonAfterGraceAsync(taskId, execution, reportIfAbandoned);
        }
    }

    private async Task AbandonAfterGraceAsync(string taskId, WorkerExecution execution, TaskError? report)
    {
        try
        {
            await Task.Delay(_options.CancellationGracePeriod);

            // Not started yet (its start is still on its way): the handler will see its token fired and return at once.
            // Returned within the grace: its own report goes on.
            if (execution.Handler is null || !execution.TryRelease())
            {
                return;
            }

            execution.Abandoned = true;
            ReleaseSlot(taskId, execution);
            _ledger.Abandoned[execution] = taskId;
            LogAbandoned(taskId, Id, execution.Attempt, execution.CancelReason ?? "cancelled", _options.CancellationGracePeriod);
            if (report is not null)
            {
                // Until the task grain has it, the attempt is still this worker's (IsRunning answers so).
                await ReportAsync(_grains.GetGrainByKey<ITaskProtocolGrain>(taskId), taskId, execution.Attempt, null, report);
            }

            _ledger.Remove(taskId, execution);
        }
        catch (Exception ex)
        {
            LogAbandonFailed(ex, taskId, Id);
        }
    }

    /// <summary>
    /// The task grain fails an attempt past its timeout and then tells the worker to cancel it; should that message never
    /// come (it is one-way, and sent only once the failure is stored), the worker's own clock ends the attempt: a handler
    /// still running a grace period past its timeout is cancelled here, and abandoned a grace period later.
    /// </summary>
    private void CancelOverdueHandlers()
    {
        var now = Environment.TickCount64;
        var grace = (long)_options.CancellationGracePeriod.TotalMilliseconds;
        foreach (var (taskId, execution) in _ledger.Running)
        {
            if (execution.Released || execution.Handler is null || execution.CancelReason is not null)
            {
                continue;
            }

            if (now - execution.StartedAt > (execution.TimeoutSeconds * 1000L) + grace)
            {
                LogOverdue(taskId, Id, execution.Attempt, execution.TimeoutSeconds);
                var error = new TaskError
                {
                    Kind = TaskErrorKinds.Timeout,
                    Message = $"attempt {execution.Attempt} ran past its timeout of {execution.TimeoutSeconds} s; its worker cancelled it, no cancel having come",
                };
                _ = CancelHandlerAsync(taskId, execution, TimeoutReason, error);
            }
        }
    }
}
