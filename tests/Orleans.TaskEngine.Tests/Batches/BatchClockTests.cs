using Microsoft.Extensions.DependencyInjection;
using Orleans.Hosting;
using Orleans.Runtime;
using Orleans.Storage;
using Orleans.TaskEngine.Batches;
using Orleans.TaskEngine.Client;
using Orleans.TaskEngine.Grains;
using Orleans.TaskEngine.Hosting;
using Orleans.TaskEngine.Tasks;
using Orleans.TaskEngine.Tests.Infrastructure;
using Orleans.TestingHost;

namespace Orleans.TaskEngine.Tests.Batches;

/// <summary>
/// What a batch does when its time is up, on one silo whose clock the test moves forward: a batch left unsealed is
/// undone after 10 minutes; a finished one is forgotten after the tasks' retention, once its callback task is gone
/// too. Each tick is delivered by calling the batch's reminder entry point, as the reminder
/// service would, instead of waiting minutes for a real one.
/// </summary>
public sealed class BatchClockTests(BatchClockTests.ClockCluster fixture) : IClassFixture<BatchClockTests.ClockCluster>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Retention = TimeSpan.FromMinutes(30);
    private readonly TaskEngineClusterClient _engine = fixture.Engine;

    [Fact]
    public async Task A_batch_left_unsealed_for_10_minutes_is_undone_its_members_cancelled_and_its_state_gone()
    {
        var batchId = "bat-" + TaskEngineClusterClient.NewTaskId();
        string[] members = [TaskEngineClusterClient.NewTaskId(), TaskEngineClusterClient.NewTaskId()];
        var batch = fixture.Cluster.GrainFactory.GetGrainByKey<IBatchGrain>(batchId);
        Assert.Equal(BatchCreateOutcome.Created, (await batch.Create(Definition(members))).Outcome);

        // The request made one member and died: the batch is never sealed.
        var submitted = new TaskSubmission { Type = "echo", Queue = "parked", BatchId = batchId };
        Assert.True((await _engine.SubmitAsync(submitted, members[0])).IsAccepted);

        await Tick(batchId, "batch-recovery");
        Assert.NotNull(await batch.Get());
        Assert.Equal(TaskState.Pending, (await _engine.GetAsync(members[0]))!.Status);

        fixture.Clock.Advance(TimeSpan.FromMinutes(11));
        await Tick(batchId, "batch-recovery");

        var member = await Eventually.Until(() => _engine.GetAsync(members[0]), t => t!.Status == TaskState.Cancelled, Deadline, "the member cancelled");
        Assert.Equal("cancelled: batch abandoned: its request did not finish", member!.History[^1].Message);
        Assert.Null(await _engine.GetAsync(members[1]));
        Assert.Null(await batch.Get());
        Assert.Empty(await fixture.Reminders(batch));
    }

    [Fact]
    public async Task A_finished_batch_is_forgotten_once_its_retention_has_passed_and_not_before()
    {
        var batchId = "bat-" + TaskEngineClusterClient.NewTaskId();
        string[] members = [TaskEngineClusterClient.NewTaskId()];
        var batch = fixture.Cluster.GrainFactory.GetGrainByKey<IBatchGrain>(batchId);
        Assert.Equal(BatchCreateOutcome.Created, (await batch.Create(Definition(members))).Outcome);
        Assert.True((await _engine.SubmitAsync(new TaskSubmission { Type = "echo", BatchId = batchId }, members[0])).IsAccepted);
        await batch.Seal();
        var finished = await Eventually.Until(() => batch.Get(), b => b!.Finished, Deadline, "the batch finished");
        Assert.Equal(TaskState.Completed, (await _engine.WaitAsync(finished!.CallbackTaskId, Deadline))!.Status);
        Assert.Equal(["batch-expiry"], await fixture.Reminders(batch));

        // Early ticks (a minute short of the retention) leave it.
        await Tick(batchId, "batch-expiry");
        fixture.Clock.Advance(Retention - TimeSpan.FromMinutes(1));
        await Tick(batchId, "batch-expiry");
        Assert.True((await batch.Get())!.Finished);

        // Past it (the callback task's too, which its queue then purges), a tick forgets it.
        fixture.Clock.Advance(TimeSpan.FromMinutes(2));
        await ForgottenAfterTicks(batch);
        Assert.Empty(await fixture.Reminders(batch));

        // A tick for the forgotten batch (a reminder that outlived it) makes nothing and stops.
        await Tick(batchId, "batch-expiry");
        Assert.Null(await batch.Get());
        Assert.Empty(await fixture.Reminders(batch));
    }

    [Fact]
    public async Task A_finished_batch_is_kept_while_its_callback_task_is_so_a_batch_made_again_under_its_id_can_submit_its_own()
    {
        var batchId = "bat-" + TaskEngineClusterClient.NewTaskId();
        string[] members = [TaskEngineClusterClient.NewTaskId()];
        var batch = fixture.Cluster.GrainFactory.GetGrainByKey<IBatchGrain>(batchId);
        var parkedCallback = Definition(members) with { Callback = new TaskSubmission { Type = "echo", Queue = "parked" } };
        Assert.Equal(BatchCreateOutcome.Created, (await batch.Create(parkedCallback)).Outcome);
        Assert.True((await _engine.SubmitAsync(new TaskSubmission { Type = "echo", BatchId = batchId }, members[0])).IsAccepted);
        await batch.Seal();
        var finished = await Eventually.Until(() => batch.Get(), b => b!.Finished, Deadline, "the batch finished");

        fixture.Clock.Advance(Retention + TimeSpan.FromMinutes(1));
        await Tick(batchId, "batch-expiry");
        Assert.True(await batch.Get() is { Finished: true }, "the batch was forgotten while its callback task is kept");
        Assert.Equal(["batch-expiry"], await fixture.Reminders(batch));

        Assert.True((await _engine.CancelAsync(finished!.CallbackTaskId, "test")).Changed);
        fixture.Clock.Advance(Retention + TimeSpan.FromMinutes(1));
        await ForgottenAfterTicks(batch);
        Assert.Null(await _engine.GetAsync(finished.CallbackTaskId));
        Assert.Empty(await fixture.Reminders(batch));

        // Made again under the same id, it runs a callback of its own.
        string[] again = [TaskEngineClusterClient.NewTaskId()];
        Assert.Equal(BatchCreateOutcome.Created, (await batch.Create(Definition(again))).Outcome);
        Assert.True((await _engine.SubmitAsync(new TaskSubmission { Type = "echo", BatchId = batchId }, again[0])).IsAccepted);
        await batch.Seal();
        await Eventually.Until(() => batch.Get(), b => b!.Finished, Deadline, "the new batch finished");
        var callback = (await _engine.WaitAsync(finished.CallbackTaskId, Deadline))!;
        Assert.Equal((TaskState.Completed, "default"), (callback.Status, callback.Queue));
    }

    [Fact]
    public async Task A_batch_stored_finished_without_a_finish_time_counts_its_retention_from_its_next_tick()
    {
        // As stored before batches kept their finish time: its callback was submitted (and was never made here).
        var batchId = "bat-" + TaskEngineClusterClient.NewTaskId();
        var batch = fixture.Cluster.GrainFactory.GetGrainByKey<IBatchGrain>(batchId);
        var member = TaskEngineClusterClient.NewTaskId();
        await fixture.Store(batch, new BatchGrainState
        {
            Members = [member],
            Finished = { [member] = TaskState.Completed },
            Callback = new TaskSubmission { Type = "echo" },
            Fingerprint = "request",
            Sealed = true,
            CallbackSubmitted = true,
            CreatedAt = fixture.Clock.GetUtcNow(),
        });

        await Tick(batchId, "batch-recovery");
        Assert.Equal(["batch-expiry"], await fixture.Reminders(batch));
        fixture.Clock.Advance(Retention - TimeSpan.FromMinutes(1));
        await Tick(batchId, "batch-expiry");
        Assert.True(await batch.Get() is { Finished: true }, "the batch was forgotten before its retention");

        fixture.Clock.Advance(TimeSpan.FromMinutes(2));
        await Tick(batchId, "batch-expiry");
        Assert.Null(await batch.Get());
        Assert.Empty(await fixture.Reminders(batch));
    }

    /// <summary>Ticks until the batch is gone: its queue purges the callback task (retention over) within a few seconds.</summary>
    private async Task ForgottenAfterTicks(IBatchGrain batch) =>
        await Eventually.Until(async () =>
        {
            await batch.AsReference<IRemindable>().ReceiveReminder("batch-expiry", default);
            return await batch.Get();
        }, b => b is null, Deadline, "the batch forgotten");

    private Task Tick(string batchId, string reminder) =>
        fixture.Cluster.GrainFactory.GetGrainByKey<IBatchGrain>(batchId).AsReference<IRemindable>().ReceiveReminder(reminder, default);

    private static BatchDefinition Definition(IReadOnlyList<string> members) =>
        new() { Members = members, Callback = new TaskSubmission { Type = "echo" }, Fingerprint = "request" };

    /// <summary>One silo; queue <c>parked</c> has no worker; retention 30 min. Its clock is <see cref="Clock"/>.</summary>
    public sealed class ClockCluster() : EngineCluster(1, new Dictionary<string, string?>
    {
        ["TaskEngine:Queues:Overrides:parked:Exclusive"] = "true",
        ["TaskEngine:Tasks:Retention"] = Retention.ToString(),
    })
    {
        // The silo configurator is made by type, so it reaches the clock through a static; one such cluster exists.
        private static readonly ShiftedClock SharedClock = new();

        public ShiftedClock Clock => SharedClock;

        private IServiceProvider Services => ((InProcessSiloHandle)Cluster.Primary).SiloHost.Services;

        /// <summary>The names of the reminders the batch holds.</summary>
        public async Task<IReadOnlyList<string>> Reminders(IBatchGrain batch)
        {
            var table = Services.GetRequiredService<IReminderTable>();
            return (await table.ReadRows(batch.GetGrainId())).Reminders.Select(r => r.ReminderName).ToList();
        }

        /// <summary>Writes the batch's state as its grain would, before the grain is activated.</summary>
        public Task Store(IBatchGrain batch, BatchGrainState state) =>
            Services.GetRequiredKeyedService<IGrainStorage>(TaskEngineStorage.Name).WriteStateAsync("batch", batch.GetGrainId(), new GrainState<BatchGrainState>(state));

        protected override void Configure(TestClusterBuilder builder) => builder.AddSiloBuilderConfigurator<Configurator>();

        private sealed class Configurator : ISiloConfigurator
        {
            public void Configure(ISiloBuilder siloBuilder) => siloBuilder.Services.AddSingleton<TimeProvider>(SharedClock);
        }
    }
}
