namespace Orleans.TaskEngine.Tasks;

/// <summary>
/// The answer to a command on a task (cancel, retry, a worker's report). A command that makes no sense in the
/// task's state changes nothing and says so here instead of throwing.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record CommandResult
{
    /// <summary>Whether the command changed the task.</summary>
    [Id(0)] public bool Changed { get; init; }

    /// <summary>What happened, or why nothing did.</summary>
    [Id(1)] public required string Message { get; init; }

    /// <summary>The task after the command; null when it does not exist.</summary>
    [Id(2)] public TaskSnapshot? Task { get; init; }

    public static CommandResult Done(string message, TaskSnapshot? task) => new() { Changed = true, Message = message, Task = task };

    public static CommandResult Unchanged(string message, TaskSnapshot? task) => new() { Changed = false, Message = message, Task = task };
}
