namespace Orleans.TaskEngine.History;

/// <summary>How many tasks of one queue finished completed, and how many failed, in a window.</summary>
public sealed record FinishedByQueue(string Queue, int Completed, int Failed);
