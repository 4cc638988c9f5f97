using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Workers;

/// <summary>Forwards a handler's progress reports to its task grain (fire and forget: progress is advisory).</summary>
internal sealed class TaskProgressReporter(ITaskProtocolGrain task, int attempt) : IProgress<TaskProgress>
{
    public void Report(TaskProgress value) => task.ReportProgress(attempt, value).Ignore();
}
