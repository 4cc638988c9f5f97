using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Workers;

/// <summary>
/// A graceful stop (the silo shuts down, or later an agent leaves): the worker has stopped taking work; its running
/// handlers get a grace period to finish and report as usual. Then each one still running is cancelled, and reports
/// its attempt handed back (<see cref="TaskErrorKinds.HandedBack"/>, neither the task's fault nor a lost worker); one
/// that ignores its token too is abandoned after the cancellation grace period and handed back by the worker. Until
/// an attempt's end has reached its task, the worker answers that it runs it: the task's liveness check must not
/// send it elsewhere while it may still finish here.
/// </summary>
public sealed partial class WorkerGrain
{
    private async Task DrainAsync(TimeSpan grace)
    {
        try
        {
            var running = _ledger.Running.Count;
            if (running == 0)
            {
                LogStopped(Id, 0, 0);
                return;
            }

            LogStopping(Id, running, grace);
            if (grace > TimeSpan.Zero)
            {
                var empty = _ledger.WhenEmpty();
                await Task.WhenAny(empty, Task.Delay(grace));
            }

            var handedBack = 0;
            foreach (var (taskId, execution) in _ledger.Running)
            {
                if (!execution.Released)
                {
                    handedBack++;
                    _ = CancelHandlerAsync(taskId, execution, StoppingReason,
                        HandedBack(execution.Attempt, $"its handler ignored its cancellation for {_options.CancellationGracePeriod.TotalSeconds:0.#} s"));
                }
            }

            LogStopped(Id, running - handedBack, handedBack);
        }
        catch (Exception ex)
        {
            LogStopFailed(ex, Id);
        }
    }

    private static TaskError HandedBack(int attempt, string how) =>
        Error(TaskErrorKinds.HandedBack, $"the worker stopped before attempt {attempt} finished, and handed it back ({how})");
}
