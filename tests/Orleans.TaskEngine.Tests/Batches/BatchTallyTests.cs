using System.Text.Json;
using Orleans.TaskEngine.Batches;
using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Tests.Batches;

/// <summary>
/// The batch's rules without a cluster: what member news counts, when a batch has finished, is undone or forgotten,
/// counts, the callback payload.
/// </summary>
public sealed class BatchTallyTests
{
    private static readonly DateTimeOffset Noon = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Each_member_is_counted_once_by_id_and_only_for_a_terminal_status()
    {
        var state = Batch("a", "b");
        Assert.False(BatchTally.Record(state, "a", TaskState.Running));
        Assert.False(BatchTally.Record(state, "stranger", TaskState.Completed));
        Assert.True(BatchTally.Record(state, "a", TaskState.Completed));
        Assert.False(BatchTally.Record(state, "a", TaskState.Completed));
        Assert.Equal(["b"], BatchTally.Unfinished(state));
        Assert.Single(state.Finished);
    }

    [Fact]
    public void A_batch_finishes_only_when_sealed_and_every_member_finished_and_news_after_that_changes_nothing()
    {
        var state = Batch("a", "b", "b");
        BatchTally.Record(state, "a", TaskState.Failed);
        BatchTally.Record(state, "b", TaskState.Cancelled);
        Assert.False(BatchTally.IsFinished(state));
        state.Sealed = true;
        Assert.True(BatchTally.IsFinished(state));
        state.CallbackSubmitted = true;
        Assert.False(BatchTally.Record(state, "a", TaskState.Completed));
        Assert.Equal(TaskState.Failed, state.Finished["a"]);
    }

    [Fact]
    public void Counts_take_finished_members_as_recorded_and_the_others_as_they_are_now()
    {
        var state = Batch("a", "b", "c", "d", "e");
        BatchTally.Record(state, "a", TaskState.Completed);
        BatchTally.Record(state, "b", TaskState.Failed);
        var live = new Dictionary<string, TaskState?> { ["c"] = TaskState.Running, ["d"] = TaskState.Scheduled, ["e"] = null };
        Assert.Equal(new BatchCounts { Pending = 2, Running = 1, Completed = 1, Failed = 1 }, BatchTally.Count(state, live));
    }

    [Fact]
    public void The_callback_payload_carries_the_batch_id_the_counts_and_the_payload_given()
    {
        var counts = new BatchCounts { Completed = 3, Failed = 1, Cancelled = 2 };
        var payload = JsonDocument.Parse(BatchTally.CallbackPayload("bat-1", counts, """{"x":[1,2]}""")).RootElement;
        Assert.Equal("bat-1", payload.GetProperty("batchId").GetString());
        Assert.Equal(3, payload.GetProperty("counts").GetProperty("completed").GetInt32());
        Assert.Equal(2, payload.GetProperty("counts").GetProperty("cancelled").GetInt32());
        Assert.Equal(0, payload.GetProperty("counts").GetProperty("pending").GetInt32());
        Assert.Equal(2, payload.GetProperty("payload").GetProperty("x")[1].GetInt32());
        Assert.Equal("bat-1.callback", BatchTally.CallbackTaskId("bat-1"));
    }

    [Fact]
    public void An_unsealed_batch_is_undone_only_once_more_than_10_minutes_have_passed_since_it_was_made()
    {
        var state = Batch("a");
        state.CreatedAt = Noon;
        Assert.False(BatchTally.ShouldUndo(state, Noon + TimeSpan.FromMinutes(10)));
        Assert.True(BatchTally.ShouldUndo(state, Noon + TimeSpan.FromMinutes(10) + TimeSpan.FromTicks(1)));

        state.Sealed = true;
        Assert.False(BatchTally.ShouldUndo(state, Noon + TimeSpan.FromDays(1)));
        Assert.False(BatchTally.ShouldUndo(new BatchGrainState { CreatedAt = Noon }, Noon + TimeSpan.FromDays(1)));
    }

    [Fact]
    public void A_finished_batch_is_forgotten_once_its_retention_has_passed_since_it_finished()
    {
        var retention = TimeSpan.FromHours(1);
        var state = Batch("a");
        state.Sealed = true;
        BatchTally.Record(state, "a", TaskState.Completed);
        state.CreatedAt = Noon - TimeSpan.FromDays(2);
        Assert.False(BatchTally.IsDueToBeForgotten(state, Noon + TimeSpan.FromDays(1), retention));

        state.CallbackSubmitted = true;
        state.FinishedAt = Noon;
        Assert.False(BatchTally.IsDueToBeForgotten(state, Noon, retention));
        Assert.False(BatchTally.IsDueToBeForgotten(state, Noon + retention - TimeSpan.FromTicks(1), retention));
        Assert.True(BatchTally.IsDueToBeForgotten(state, Noon + retention, retention));
        Assert.True(BatchTally.IsDueToBeForgotten(state, Noon, TimeSpan.Zero));

        // No finish time stored: not due (the grain stores one first).
        state.FinishedAt = null;
        Assert.False(BatchTally.IsDueToBeForgotten(state, Noon + TimeSpan.FromDays(400), retention));
    }

    [Fact]
    public void The_expiry_reminder_waits_until_the_retention_is_over_but_at_least_a_minute_and_at_most_a_day()
    {
        Assert.Equal(TimeSpan.FromHours(1), BatchTally.ExpiryWait(Noon, Noon, TimeSpan.FromHours(1)));
        Assert.Equal(TimeSpan.FromMinutes(20), BatchTally.ExpiryWait(Noon, Noon + TimeSpan.FromMinutes(40), TimeSpan.FromHours(1)));
        Assert.Equal(TimeSpan.FromMinutes(1), BatchTally.ExpiryWait(Noon, Noon + TimeSpan.FromSeconds(3590), TimeSpan.FromHours(1)));
        Assert.Equal(TimeSpan.FromMinutes(1), BatchTally.ExpiryWait(Noon, Noon + TimeSpan.FromHours(2), TimeSpan.FromHours(1)));
        Assert.Equal(TimeSpan.FromMinutes(1), BatchTally.ExpiryWait(Noon, Noon, TimeSpan.Zero));
        Assert.Equal(TimeSpan.FromDays(1), BatchTally.ExpiryWait(Noon, Noon, TimeSpan.FromDays(365)));
    }

    private static BatchGrainState Batch(params string[] members) =>
        new() { Members = [.. members], Callback = new TaskSubmission { Type = "echo" }, Fingerprint = "f" };
}
