namespace Orleans.TaskEngine.Tasks;

/// <summary>An attempt to cancel on the worker that runs it.</summary>
public sealed record WorkerCancellation(string WorkerId, int Attempt, string Reason);
