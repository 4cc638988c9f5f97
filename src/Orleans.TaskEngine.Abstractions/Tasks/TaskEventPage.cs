namespace Orleans.TaskEngine.Tasks;

/// <summary>Events of a task after a given sequence number, for streaming.</summary>
[GenerateSerializer, Immutable]
public sealed record TaskEventPage
{
    [Id(0)] public IReadOnlyList<TaskEvent> Events { get; init; } = [];

    [Id(1)] public TaskState Status { get; init; }

    /// <summary>The task is finished and no event follows these.</summary>
    [Id(2)] public bool Finished { get; init; }
}
