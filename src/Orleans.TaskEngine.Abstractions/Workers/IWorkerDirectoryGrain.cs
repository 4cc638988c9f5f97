namespace Orleans.TaskEngine.Workers;

/// <summary>The workers of the cluster (a single grain, key 0). Workers heartbeat into it; schedulers read it.</summary>
public interface IWorkerDirectoryGrain : IGrainWithIntegerKey
{
    Task Register(WorkerRegistration registration);

    Task Unregister(string workerId);

    /// <summary>The workers whose silo is alive and whose heartbeat is recent.</summary>
    Task<WorkerRegistration[]> GetWorkers();
}
