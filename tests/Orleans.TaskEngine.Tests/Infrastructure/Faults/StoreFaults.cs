using System.Collections.Concurrent;

namespace Orleans.TaskEngine.Tests.Infrastructure.Faults;

/// <summary>
/// The faults armed for the fault-injecting stores of <see cref="FaultyEngineCluster"/>. Each rule names an operation,
/// the task (grain key) it applies to, optionally a condition on the state being written, and how many times it fires.
/// Rules are keyed by task id, so tests that use their own tasks never trip each other's faults.
/// </summary>
public static class StoreFaults
{
    private static readonly ConcurrentDictionary<Guid, Rule> Rules = new();

    /// <summary>
    /// Arms a fault. <paramref name="when"/> sees the state being written (a <c>TaskGrainState</c> for state writes,
    /// a <c>QueueIndexRecord</c> for index saves, null otherwise). Dispose the result to disarm what has not fired.
    /// </summary>
    public static Armed Arm(StoreOperation operation, string taskId, FaultKind kind, int times = 1, Func<object?, bool>? when = null)
    {
        var rule = new Rule(operation, taskId, kind, when) { Remaining = times };
        var id = Guid.NewGuid();
        Rules[id] = rule;
        return new Armed(id, rule);
    }

    /// <summary>The fault to inject into this operation, if one is armed and matches (it is used up).</summary>
    public static FaultKind? Take(StoreOperation operation, string taskId, object? state) => TakeRule(operation, taskId, state)?.Kind;

    /// <summary>
    /// Carries out <paramref name="action"/> with the fault armed for it, if any: throws what <paramref name="fail"/>
    /// makes before it (<see cref="FaultKind.FailBefore"/>, or after the hold of <see cref="FaultKind.HoldThenFail"/>)
    /// or after it (<see cref="FaultKind.CommitThenFail"/>).
    /// </summary>
    public static async Task RunAsync(StoreOperation operation, string taskId, object? state, Func<Task> action, Func<string, Exception> fail)
    {
        var rule = TakeRule(operation, taskId, state);
        switch (rule?.Kind)
        {
            case FaultKind.FailBefore:
                throw fail($"injected: {operation} of {taskId} refused");
            case FaultKind.HoldThenFail:
                rule.Reached.TrySetResult();
                await rule.Released.Task;
                throw fail($"injected: {operation} of {taskId} held, then refused");
        }

        await action();
        if (rule?.Kind == FaultKind.CommitThenFail)
        {
            throw fail($"injected: {operation} of {taskId} committed, then the call failed");
        }
    }

    private static Rule? TakeRule(StoreOperation operation, string taskId, object? state)
    {
        foreach (var (id, rule) in Rules)
        {
            if (rule.Operation != operation || rule.TaskId != taskId || (rule.When is { } when && !when(state)))
            {
                continue;
            }

            lock (rule)
            {
                if (rule.Remaining <= 0)
                {
                    continue;
                }

                rule.Remaining--;
                rule.Fired++;
                if (rule.Remaining == 0)
                {
                    Rules.TryRemove(id, out _);
                }

                return rule;
            }
        }

        return null;
    }

    public sealed class Rule(StoreOperation operation, string taskId, FaultKind kind, Func<object?, bool>? when)
    {
        public StoreOperation Operation { get; } = operation;
        public string TaskId { get; } = taskId;
        public FaultKind Kind { get; } = kind;
        public Func<object?, bool>? When { get; } = when;
        public int Remaining { get; set; }
        public TaskCompletionSource Reached { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public TaskCompletionSource Released { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public int Fired { get; set; }
    }

    /// <summary>An armed fault: how often it fired so far; disposing disarms it.</summary>
    public sealed class Armed(Guid id, Rule rule) : IDisposable
    {
        public int Fired
        {
            get
            {
                lock (rule)
                {
                    return rule.Fired;
                }
            }
        }

        /// <summary>Completes when a <see cref="FaultKind.HoldThenFail"/> operation is being held.</summary>
        public Task Reached => rule.Reached.Task;

        /// <summary>Lets a held operation go on (to fail).</summary>
        public void Release() => rule.Released.TrySetResult();

        public void Dispose()
        {
            Rules.TryRemove(id, out _);
            Release();
        }
    }
}
