using Orleans.TaskEngine.Workers;

namespace Orleans.TaskEngine.Scheduling;

/// <summary>What a scheduler knows of one worker: how many of its slots it believes free.</summary>
public sealed class WorkerSlots(WorkerRegistration registration)
{
    public WorkerRegistration Registration { get; set; } = registration;

    public string WorkerId => Registration.WorkerId;

    public int Free { get; set; } = registration.Concurrency;

    /// <summary>The worker refused work (its slots are taken by other queues) and will say when it has room.</summary>
    public bool Blocked { get; set; }

    /// <summary>When this scheduler last gave it a task (a counter): the tie-breaker between equally loaded workers.</summary>
    public long LastAssigned { get; set; }
}
