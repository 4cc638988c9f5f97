using System.Text.Json;

namespace Orleans.TaskEngine.Handlers;

/// <summary>
/// Runs one attempt of a task type. Registered by type name through DI (<c>AddTaskHandler&lt;T&gt;("name")</c>).
/// Execution is at-least-once: use <see cref="TaskHandlerContext.Attempt"/> and the task id to stay idempotent.
/// Throw <see cref="PermanentTaskException"/> when retrying cannot help; any other exception is retried.
/// </summary>
public interface ITaskHandler
{
    /// <returns>The result as JSON (null for none).</returns>
    Task<JsonElement?> HandleAsync(TaskHandlerContext context, CancellationToken cancellationToken);
}
