using System.Net;
using System.Text.Json;
using Orleans.Core.Internal;
using Orleans.TaskEngine.Scheduling;
using Orleans.TaskEngine.Tasks;
using Orleans.TaskEngine.Tests.Api;
using Orleans.TaskEngine.Tests.Infrastructure;

namespace Orleans.TaskEngine.Tests.Scheduling;

/// <summary>
/// One silo with room for six queues: the default queue and the three the common settings configure (solo, trio, tiny)
/// leave two for queues that tasks name. Finished tasks are kept 2 s, idle schedulers collected after 3 s and queues
/// recounted every 2 s, so a queue that empties out stops counting within seconds.
/// </summary>
public sealed class QueueLimitEngineCluster() : EngineCluster(1, new Dictionary<string, string?>
{
    ["TaskEngine:Queues:MaxQueues"] = QueueLimitTests.MaxQueues.ToString(System.Globalization.CultureInfo.InvariantCulture),
    ["TaskEngine:Queues:RebuildInterval"] = "00:00:02",
    ["TaskEngine:Tasks:Retention"] = "00:00:02",
    ["Orleans:GrainCollection:CollectionQuantum"] = "00:00:01",
    [$"Orleans:GrainCollection:ClassSpecificCollectionAge:{typeof(SchedulerGrain).FullName}"] = "00:00:03",
});

public sealed class QueueLimitTests(QueueLimitEngineCluster fixture) : IClassFixture<QueueLimitEngineCluster>
{
    public const int MaxQueues = 6;
    private static readonly string[] Configured = ["default", "solo", "tiny", "trio"];

    private IGrainFactory Grains => fixture.Cluster.GrainFactory;

    [Fact]
    public async Task A_new_queue_past_the_maximum_is_refused_existing_ones_are_not_even_after_a_restart_and_an_emptied_queue_frees_its_place()
    {
        var engine = fixture.Engine;
        await UntilOnlyTheConfiguredQueuesCount();
        var gate = $"limit-{Guid.NewGuid():N}";
        var running = new List<string>
        {
            await engine.SubmitOk("record", new { key = gate, gate }, s => s with { Queue = "limit-a" }),
            await engine.SubmitOk("record", new { key = gate, gate }, s => s with { Queue = "limit-b" }),
        };

        // Six queues: a seventh is refused, for a ready task and for one that waits, and nothing is queued.
        var refused = await Scheduler("limit-c").Enqueue(Entry(), isNewSubmit: true);
        Assert.False(refused.Accepted);
        Assert.True(refused.QueueLimitReached);
        Assert.Equal($"Queue 'limit-c' is new and the cluster already has its maximum of {MaxQueues} queues (TaskEngine:Queues:MaxQueues).", refused.Reason);
        var waiting = await Scheduler("limit-c").Admit();
        Assert.False(waiting.Accepted);
        Assert.True(waiting.QueueLimitReached);

        // The queues that exist take more, as does a configured one.
        running.Add(await engine.SubmitOk("record", new { key = gate, gate }, s => s with { Queue = "limit-a" }));
        Assert.True((await Scheduler("tiny").Admit()).Accepted);

        // The count and the schedulers start afresh (as after a restart of the cluster): the queues in the index are
        // known before anyone is answered, so the new queue that asks first is still refused and the old ones are not.
        await Grains.GetGrain<IQueueDirectoryGrain>(0).Cast<IGrainManagementExtension>().DeactivateOnIdle();
        await Scheduler("limit-a").Cast<IGrainManagementExtension>().DeactivateOnIdle();
        Assert.True((await Scheduler("limit-c").Admit()).QueueLimitReached);
        Assert.True((await Scheduler("limit-a").Admit()).Accepted);
        Assert.Equal(2, (await engine.GetQueueAsync("limit-a")).Running);

        // A task accepted earlier and pending again is always taken back, past the maximum; the list stays bounded,
        // configured queues first.
        Assert.True((await Scheduler("limit-d").Enqueue(Entry(), isNewSubmit: false)).Accepted);
        var listed = await Grains.GetGrain<IQueueDirectoryGrain>(0).GetQueues();
        Assert.Equal(MaxQueues, listed.Length);
        Assert.Equal(Configured, listed.Where(Configured.Contains));

        // Once their tasks are done and purged and their schedulers idle, the queues stop counting: a new one fits.
        TestProbe.OpenGate(gate);
        foreach (var id in running)
        {
            Assert.Equal(TaskState.Completed, (await engine.Finished(id)).Status);
        }

        await Eventually.Until(() => Scheduler("limit-e").Admit(), r => r.Accepted, TimeSpan.FromSeconds(60), "room for a new queue");
    }

    [Fact]
    public async Task The_list_of_queues_never_holds_more_than_the_maximum()
    {
        var directory = Grains.GetGrain<IQueueDirectoryGrain>(0);
        for (var i = 0; i < 3 * MaxQueues; i++)
        {
            await directory.Register($"listed-{i:D2}");
        }

        var listed = await directory.GetQueues();
        Assert.Equal(MaxQueues, listed.Length);
        Assert.Equal(Configured, listed.Where(Configured.Contains));
    }

    [Fact]
    public async Task Over_the_API_a_submit_that_would_create_a_queue_past_the_maximum_answers_400_and_creates_nothing()
    {
        var engine = fixture.Engine;
        await UntilOnlyTheConfiguredQueuesCount();
        var gate = $"limit-api-{Guid.NewGuid():N}";
        var running = new List<string>
        {
            await engine.SubmitOk("record", new { key = gate, gate }, s => s with { Queue = "api-a" }),
            await engine.SubmitOk("record", new { key = gate, gate }, s => s with { Queue = "api-b" }),
        };

        await using var api = new ApiFactory(fixture.Cluster.Client, new Dictionary<string, string?>());
        using var http = api.CreateClient();
        using var response = await http.PostAsync("/api/tasks", TaskApiTests.Json("""{"type":"echo","queue":"api-c"}"""));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal($"Queue 'api-c' is new and the cluster already has its maximum of {MaxQueues} queues (TaskEngine:Queues:MaxQueues).", problem.GetProperty("detail").GetString());

        // A task that would wait (run-at) is refused the same way, before anything is stored.
        var delayed = await engine.SubmitAsync(new TaskSubmission { Type = "echo", Queue = "api-c", DelaySeconds = 60 });
        Assert.Equal(SubmitOutcome.QueueLimitReached, delayed.Outcome);
        Assert.Null(await engine.GetAsync(delayed.TaskId));

        TestProbe.OpenGate(gate);
        foreach (var id in running)
        {
            await engine.Finished(id);
        }
    }

    /// <summary>Queues left by another test of this class stop counting within seconds (see the fixture).</summary>
    private Task<string[]> UntilOnlyTheConfiguredQueuesCount() =>
        Eventually.Until(() => Grains.GetGrain<IQueueDirectoryGrain>(0).GetQueues(), q => q.Length == Configured.Length, TimeSpan.FromSeconds(60), "only the configured queues to count");

    private ISchedulerGrain Scheduler(string queue) => Grains.GetGrain<ISchedulerGrain>(queue);

    private static QueueEntry Entry() => new() { TaskId = $"no-such-task-{Guid.NewGuid():N}", Priority = TaskPriority.Normal, Sequence = 1 };
}
