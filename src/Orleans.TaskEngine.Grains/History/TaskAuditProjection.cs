using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.History;

/// <summary>
/// Turns a task grain's state, as it is written, into what the audit log gains in the same write: the incarnation's
/// summary and the events added since the state stored before (<see cref="TaskGrainState.AuditedThrough"/>). The stores
/// call it inside their write, so an event is in the log exactly when the state that makes it true is stored.
/// </summary>
public static class TaskAuditProjection
{
    /// <summary>The grain state name the task grain stores under.</summary>
    public const string StateName = "task";

    /// <param name="stateName">The state name the grain stores under.</param>
    /// <param name="grainKey">The grain's key: for a task grain, the task id.</param>
    /// <param name="state">The state being written.</param>
    public static TaskAuditRows? Project(string stateName, string grainKey, object? state)
    {
        if (stateName != StateName || state is not TaskGrainState { Submission: { } submission } task)
        {
            return null;
        }

        var lastError = task.Errors.Count > 0 ? task.Errors[^1] : null;
        var summary = new TaskSummary
        {
            Id = grainKey,
            Type = submission.Type,
            Queue = submission.Queue,
            Priority = submission.Priority,
            Status = task.Status,
            Attempts = task.Attempts,
            CreatedBy = submission.CreatedBy,
            CreatedAt = task.CreatedAt,
            StartedAt = task.StartedAt,
            FinishedAt = task.FinishedAt,
            Tags = submission.Tags,
            LastErrorKind = task.Status == TaskState.Completed ? null : lastError?.Kind,
            LastErrorMessage = task.Status == TaskState.Completed ? null : lastError?.Message,
        };

        var events = new List<TaskEvent>();
        DateTimeOffset? lastErrorAt = null;
        foreach (var e in task.History)
        {
            if (e.Sequence > task.AuditedThrough)
            {
                events.Add(e);
            }

            if (e.ErrorKind is not null)
            {
                lastErrorAt = e.At;
            }
        }

        var auditedThrough = Math.Max(task.LastSequence, task.AuditedThrough);
        return new TaskAuditRows(summary, events, auditedThrough, lastErrorAt);
    }
}
