namespace Orleans.TaskEngine.Bench;

/// <summary>A target that sees its tasks arrive at the worker, and so times dispatch on its own clock.</summary>
public interface IDispatchTimer
{
    /// <summary>Milliseconds from the start of the task's submit to its receipt by a worker; null if not seen.</summary>
    double? DispatchMs(string taskId);
}
