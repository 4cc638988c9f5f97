using System.Collections.Concurrent;

namespace Orleans.TaskEngine.Tests.Infrastructure;

/// <summary>
/// What test handlers saw, shared with the tests (the TestCluster's silos run in this process).
/// Keys are chosen per test so tests never read each other's records.
/// </summary>
public static class TestProbe
{
    private static readonly ConcurrentDictionary<string, ConcurrentQueue<string>> Starts = new();
    private static readonly ConcurrentDictionary<string, TaskCompletionSource> Gates = new();
    private static readonly ConcurrentDictionary<string, byte> CancelledTasks = new();
    private static readonly ConcurrentDictionary<string, ConcurrentQueue<string>> Returns = new();

    public static void RecordStart(string key, string taskId) => Starts.GetOrAdd(key, _ => new()).Enqueue(taskId);

    public static IReadOnlyList<string> StartsOf(string key) => Starts.TryGetValue(key, out var q) ? [.. q] : [];

    public static void RecordReturn(string key, string run) => Returns.GetOrAdd(key, _ => new()).Enqueue(run);

    /// <summary>The runs recorded under <paramref name="key"/> whose handler returned (see <see cref="StubbornHandler"/>).</summary>
    public static IReadOnlyList<string> ReturnsOf(string key) => Returns.TryGetValue(key, out var q) ? [.. q] : [];

    public static Task Gate(string key) => Gates.GetOrAdd(key, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public static void OpenGate(string key) => Gates.GetOrAdd(key, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    public static void RecordCancelled(string taskId) => CancelledTasks[taskId] = 0;

    public static bool SawCancellation(string taskId) => CancelledTasks.ContainsKey(taskId);
}
