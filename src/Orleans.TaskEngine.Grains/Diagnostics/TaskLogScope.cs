using System.Collections;
using System.Globalization;

namespace Orleans.TaskEngine.Diagnostics;

/// <summary>
/// The logging scope around one attempt on a worker: every line its handler and the worker log while it runs carries
/// the task id, type, attempt and worker (and the silo, in the worker id), so one task can be followed across silos.
/// A list of pairs, so the JSON console formatter and OpenTelemetry write them as fields; the text formatter prints
/// <see cref="ToString"/>.
/// </summary>
public sealed class TaskLogScope(string taskId, string type, int attempt, string workerId) : IReadOnlyList<KeyValuePair<string, object?>>
{
    public int Count => 4;

    public KeyValuePair<string, object?> this[int index] => index switch
    {
        0 => new("TaskId", taskId),
        1 => new("TaskType", type),
        2 => new("Attempt", attempt),
        3 => new("WorkerId", workerId),
        _ => throw new ArgumentOutOfRangeException(nameof(index)),
    };

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        for (var i = 0; i < Count; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"task {taskId} ({type}) attempt {attempt} on {workerId}");
}
