using System.Text;
using System.Text.Json;
using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Batches;

/// <summary>
/// A batch's rules, with no Orleans in them: which member news counts, when the batch has finished, when it is undone
/// or forgotten, its counts and the callback's payload. The batch grain stores and acts on what these say.
/// </summary>
public static class BatchTally
{
    /// <summary>A batch left unsealed this long lost the request that was making it (its host died): it is undone.</summary>
    public static readonly TimeSpan AbandonUnsealedAfter = TimeSpan.FromMinutes(10);

    /// <summary>The shortest wait for an expiry check: Orleans' shortest reminder period by default.</summary>
    public static readonly TimeSpan ShortestExpiryWait = TimeSpan.FromMinutes(1);

    /// <summary>The longest: a reminder cannot wait a whole long retention at once, so it checks again daily.</summary>
    public static readonly TimeSpan LongestExpiryWait = TimeSpan.FromDays(1);

    /// <summary>The callback's task id: fixed by the batch id, so the callback can never be submitted twice.</summary>
    public static string CallbackTaskId(string batchId) => batchId + ".callback";

    /// <summary>
    /// Records that member <paramref name="taskId"/> is in the terminal <paramref name="status"/>. False (nothing to
    /// store) for a task that is not a member, a status that is not terminal, news already recorded, or once the batch
    /// has finished: a member retried later does not change what the callback was told.
    /// </summary>
    public static bool Record(BatchGrainState state, string taskId, TaskState status)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.CallbackSubmitted || !status.IsTerminal() || !state.Members.Contains(taskId, StringComparer.Ordinal))
        {
            return false;
        }

        if (state.Finished.TryGetValue(taskId, out var known) && known == status)
        {
            return false;
        }

        state.Finished[taskId] = status;
        return true;
    }

    /// <summary>Every member is submitted and has finished.</summary>
    public static bool IsFinished(BatchGrainState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return state.Callback is not null && state.Sealed && state.Members.All(state.Finished.ContainsKey);
    }

    /// <summary>At <paramref name="now"/>, the batch was left unsealed too long: its request died; undo what it made.</summary>
    public static bool ShouldUndo(BatchGrainState state, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        return state.Callback is not null && !state.Sealed && now - state.CreatedAt > AbandonUnsealedAfter;
    }

    /// <summary>At <paramref name="now"/>, the batch finished at least <paramref name="retention"/> ago: its state goes.</summary>
    public static bool IsDueToBeForgotten(BatchGrainState state, DateTimeOffset now, TimeSpan retention)
    {
        ArgumentNullException.ThrowIfNull(state);
        return state.Callback is not null && state.CallbackSubmitted && state.FinishedAt is { } finishedAt && now - finishedAt >= retention;
    }

    /// <summary>
    /// How long the expiry reminder waits before it checks (again): until the retention is over, but at least
    /// <see cref="ShortestExpiryWait"/> and at most <see cref="LongestExpiryWait"/>.
    /// </summary>
    public static TimeSpan ExpiryWait(DateTimeOffset finishedAt, DateTimeOffset now, TimeSpan retention)
    {
        var left = finishedAt + retention - now;
        return left < ShortestExpiryWait ? ShortestExpiryWait : left > LongestExpiryWait ? LongestExpiryWait : left;
    }

    /// <summary>The members still to finish.</summary>
    public static IReadOnlyList<string> Unfinished(BatchGrainState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return state.Members.Where(m => !state.Finished.ContainsKey(m)).ToList();
    }

    /// <summary>
    /// The counts: a finished member by its recorded status, an unfinished one by <paramref name="live"/> (running, or
    /// else pending: scheduled, pending, not yet made or not answering).
    /// </summary>
    public static BatchCounts Count(BatchGrainState state, IReadOnlyDictionary<string, TaskState?> live)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(live);
        int pending = 0, running = 0, completed = 0, failed = 0, cancelled = 0;
        foreach (var member in state.Members)
        {
            var status = state.Finished.TryGetValue(member, out var done) ? done : live.GetValueOrDefault(member);
            switch (status)
            {
                case TaskState.Completed: completed++; break;
                case TaskState.Failed: failed++; break;
                case TaskState.Cancelled: cancelled++; break;
                case TaskState.Running: running++; break;
                default: pending++; break;
            }
        }

        return new BatchCounts { Pending = pending, Running = running, Completed = completed, Failed = failed, Cancelled = cancelled };
    }

    /// <summary>The callback's payload: <c>{"batchId", "counts", "payload": the payload the callback was given}</c>.</summary>
    public static string CallbackPayload(string batchId, BatchCounts counts, string payload)
    {
        ArgumentNullException.ThrowIfNull(counts);
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            json.WriteString("batchId", batchId);
            json.WriteStartObject("counts");
            json.WriteNumber("pending", counts.Pending);
            json.WriteNumber("running", counts.Running);
            json.WriteNumber("completed", counts.Completed);
            json.WriteNumber("failed", counts.Failed);
            json.WriteNumber("cancelled", counts.Cancelled);
            json.WriteEndObject();
            json.WritePropertyName("payload");
            json.WriteRawValue(payload);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
