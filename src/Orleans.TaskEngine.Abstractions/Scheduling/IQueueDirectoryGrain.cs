namespace Orleans.TaskEngine.Scheduling;

/// <summary>
/// The queues of the cluster (a single grain, key 0): how many there are, for the cap on queues, and their names, for
/// the operators' view. A queue counts while it has records in the queue index, while its scheduler is active, and
/// always when it is configured.
/// </summary>
public interface IQueueDirectoryGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// Whether a queue may take new tasks: yes for a queue the cluster has, and for a new one while the cluster has fewer
    /// queues than its maximum (the new queue then counts); no otherwise. A scheduler asks once per activation.
    /// </summary>
    Task<bool> Admit(string queue);

    /// <summary>A scheduler that serves its queue says so (every maintenance interval): the queue counts, cap or not.</summary>
    Task Register(string queue);

    /// <summary>The names of the queues, at most the maximum number of queues; configured queues first.</summary>
    Task<string[]> GetQueues();
}
