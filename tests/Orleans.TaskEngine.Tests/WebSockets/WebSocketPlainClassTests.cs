using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Orleans.TaskEngine.Api.WebSockets;
using Orleans.TaskEngine.Scheduling;

namespace Orleans.TaskEngine.Tests.WebSockets;

/// <summary>The WebSocket's decisions without a cluster: subscriptions, the bounded outbox, per-task resumption, leases.</summary>
public sealed class WebSocketPlainClassTests
{
    [Fact]
    public void The_query_string_takes_repeated_tasks_and_queues_without_duplicates()
    {
        var query = new QueryCollection(new Dictionary<string, StringValues>
        {
            ["task"] = new(["a1", "b2", "a1"]),
            ["queue"] = new(["default"]),
        });
        var (subscription, error) = WebSocketSubscriptionParser.FromQuery(query);
        Assert.Null(error);
        Assert.Equal(["a1", "b2"], subscription!.Tasks);
        Assert.Equal(["default"], subscription.Queues);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("""{"subscribe": []}""")]
    [InlineData("""{"subscribe": {"tasks": "a1"}}""")]
    [InlineData("""{"subscribe": {"tasks": [1]}}""")]
    [InlineData("""{"subscribe": {"topics": ["a1"]}}""")]
    [InlineData("""{"subscribe": {"tasks": ["a1"]}, "extra": 1}""")]
    [InlineData("""{"subscribe": {"tasks": ["a1", "bad id"]}}""")]
    [InlineData("""{"subscribe": {"queues": ["a/b"]}}""")]
    [InlineData("""{"subscribe": {"queues": [""]}}""")]
    public void A_bad_frame_is_refused_whole_with_a_reason(string frame)
    {
        var (subscription, error) = WebSocketSubscriptionParser.FromFrame(frame);
        Assert.Null(subscription);
        Assert.False(string.IsNullOrWhiteSpace(error));
    }

    [Fact]
    public void A_good_frame_names_its_tasks_and_queues()
    {
        var (subscription, error) = WebSocketSubscriptionParser.FromFrame("""{"subscribe": {"tasks": ["a1"], "queues": ["q"]}}""");
        Assert.Null(error);
        Assert.Equal(["a1"], subscription!.Tasks);
        Assert.Equal(["q"], subscription.Queues);
    }

    [Fact]
    public void The_outbox_holds_its_capacity_and_overflows_once_instead_of_growing()
    {
        using var outbox = new WebSocketOutbox(2);
        Assert.True(outbox.TryPost("1"));
        Assert.True(outbox.TryPost("2"));
        Assert.False(outbox.Overflowed);
        Assert.False(outbox.TryPost("3"));
        Assert.True(outbox.Overflowed);
        Assert.True(outbox.OverflowToken.IsCancellationRequested);
        Assert.False(outbox.TryPost("4"));
        Assert.True(System.Text.Encoding.UTF8.GetByteCount(outbox.OverflowReason) < 123);
    }

    [Fact]
    public void An_outbox_completed_by_a_normal_end_is_not_an_overflow()
    {
        using var outbox = new WebSocketOutbox(2);
        outbox.Complete();
        Assert.False(outbox.TryPost("1"));
        Assert.False(outbox.Overflowed);
    }

    [Fact]
    public void A_task_is_followed_by_one_loop_at_a_time_and_resumes_after_what_it_handled()
    {
        var follows = new TaskFollows();
        Assert.Equal((0L, false), follows.TryStart("t", subscribed: false));
        Assert.Null(follows.TryStart("t", subscribed: true));
        follows.Handled("t", 5);
        follows.Handled("t", 3);
        follows.Stopped("t");
        Assert.Equal((5L, true), follows.TryStart("t", subscribed: false));
        Assert.Equal(1, follows.Subscribed);
        Assert.Equal(1, follows.NewSubscriptions(["t", "u"]));
        follows.Forget("t");
        Assert.Equal((0L, false), follows.TryStart("t", subscribed: true));
    }

    [Fact]
    public void A_watcher_whose_lease_ended_is_dropped()
    {
        var watchers = new QueueWatchers();
        var now = DateTimeOffset.UnixEpoch;
        var a = new Watcher();
        var b = new Watcher();
        watchers.Renew(a, now + TimeSpan.FromSeconds(10));
        watchers.Renew(b, now + TimeSpan.FromSeconds(90));
        Assert.Equal(2, watchers.Live(now).Count);
        Assert.Equal([b], watchers.Live(now + TimeSpan.FromSeconds(30)));
        Assert.Equal(1, watchers.Count);
        watchers.Renew(b, now + TimeSpan.FromSeconds(200));
        Assert.Equal([b], watchers.Live(now + TimeSpan.FromSeconds(120)));
        Assert.True(watchers.Remove(b));
        Assert.Equal(0, watchers.Count);
    }

    private sealed class Watcher : IQueueWatcher
    {
        public Task TaskEnqueued(string queue, string taskId, bool isNewSubmit) => Task.CompletedTask;
    }
}
