using System.Text.Json;
using Orleans.TaskEngine.Batches;
using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Tests.Batches;

/// <summary>The batch's rules without a cluster: what member news counts, when a batch has finished, counts, the callback payload.</summary>
public sealed class BatchTallyTests
{
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

    private static BatchGrainState Batch(params string[] members) =>
        new() { Members = [.. members], Callback = new TaskSubmission { Type = "echo" }, Fingerprint = "f" };
}
