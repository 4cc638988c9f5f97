namespace Orleans.TaskEngine.Tasks;

[GenerateSerializer]
public enum TaskEventKind
{
    /// <summary>The task moved to <see cref="TaskEvent.Status"/>.</summary>
    Transition = 0,

    /// <summary>The handler reported progress; the status did not change.</summary>
    Progress = 1,
}
