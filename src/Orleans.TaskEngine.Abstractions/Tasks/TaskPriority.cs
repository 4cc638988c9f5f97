namespace Orleans.TaskEngine.Tasks;

/// <summary>How urgently a ready task is handed to a worker; higher runs first, FIFO within one priority.</summary>
[GenerateSerializer]
public enum TaskPriority
{
    Low = 0,
    Normal = 1,
    High = 2,
    Urgent = 3,
}
