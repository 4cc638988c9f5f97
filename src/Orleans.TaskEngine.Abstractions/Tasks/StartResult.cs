namespace Orleans.TaskEngine.Tasks;

/// <summary>A task grain's answer to a worker that wants to start it.</summary>
[GenerateSerializer, Immutable]
public sealed record StartResult
{
    /// <summary>The attempt to run, or null when the task must not run now (see <see cref="Reason"/>).</summary>
    [Id(0)] public TaskWorkItem? WorkItem { get; init; }

    [Id(1)] public string? Reason { get; init; }

    public bool Started => WorkItem is not null;
}
