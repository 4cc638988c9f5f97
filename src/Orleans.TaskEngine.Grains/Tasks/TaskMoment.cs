namespace Orleans.TaskEngine.Tasks;

/// <summary>When and where a command is carried out: the clock reading and this silo's address, for the events it records.</summary>
public readonly record struct TaskMoment(DateTimeOffset Now, string Silo);
