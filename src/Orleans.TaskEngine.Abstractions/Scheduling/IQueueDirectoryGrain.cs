namespace Orleans.TaskEngine.Scheduling;

/// <summary>The names of the queues in use (a single grain, key 0); each scheduler registers on activation.</summary>
public interface IQueueDirectoryGrain : IGrainWithIntegerKey
{
    Task Register(string queue);

    Task<string[]> GetQueues();
}
