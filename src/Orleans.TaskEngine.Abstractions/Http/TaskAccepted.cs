using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Http;

/// <summary>The answer to an accepted submit.</summary>
public sealed record TaskAccepted(string Id, TaskState Status);
