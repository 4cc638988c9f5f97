namespace Orleans.TaskEngine.Tasks;

public static class TaskStateExtensions
{
    public static bool IsTerminal(this TaskState state) =>
        state is TaskState.Completed or TaskState.Failed or TaskState.Cancelled;

    /// <summary>The lower-case name used on the wire and in history.</summary>
    public static string ToWireName(this TaskState state) => state.ToString().ToLowerInvariant();
}
