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
/// too. Each tick is delivered by calling the batch's reminder entry point, as the reminder service would, instead of
/// waiting minutes for a real one.
/// </summary>
public sealed class BatchClockTests(BatchClockTests.ClockCluster fixture) : IClassFixture<BatchClockTests.ClockCluster>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Retention = TimeSpan.FromMinutes(30);
    private readonly TaskEngineClusterClient _engine = fixture.Engine;

    [Fact]
    public async Task A_batch_left_unsealed_for_10_minutes_is_undone_its_members_cancelled_and_its_state_gone()
    {
        var batch = NewBatch();
        string[] members = [TaskEngineClusterClient.NewTaskId(), TaskEngineClusterClient.NewTaskId()];
        Assert.Equal(BatchCreateOutcome.Created, (await batch.Create(Definition(members))).Outcome);

        // The request made one member and died: the batch is never sealed.
        var submitted = new TaskSubmission { Type = "echo", Queue = "parked", BatchId = batch.GetPrimaryKeyString() };
        Assert.True((await _engine.SubmitAsync(submitted, members[0])).IsAccepted);

        await Tick(batch, "batch-recovery");
        Assert.NotNull(await batch.Get());
        Assert.Equal(TaskState.Pending, (await _engine.GetAsync(members[0]))!.Status);

        fixture.Clock.Advance(TimeSpan.FromMinutes(11));
        await Tick(batch, "batch-recovery");

        var member = await Eventually.Until(() => _engine.GetAsync(members[0]), t => t!.Status == TaskState.Cancelled, Deadline, "the member cancelled");
        Assert.Equal("cancelled: batch abandoned: its request did not finish", member!.History[^1].Message);
        Assert.Null(await _engine.GetAsync(members[1]));
        Assert.Null(await batch.Get());
        Assert.Empty(await fixture.Reminders(batch));
    }

    [Fact]
    public async Task A_finished_batch_is_forgotten_once_its_retention_has_passed_and_not_before()
    {
        var batch = NewBatch();
        var finished = await Finished(batch, new TaskSubmission { Type = "echo" });
        Assert.Equal(TaskState.Completed, (await _engine.WaitAsync(finished.CallbackTaskId, Deadline))!.Status);
        Assert.Equal(["batch-expiry"], await fixture.Reminders(batch));
        Assert.Equal(Retention, await fixture.ReminderPeriod(batch, "batch-expiry"));

        // Early ticks (a minute short of the retention) leave it.
        await Tick(batch, "batch-expiry");
        fixture.Clock.Advance(Retention - TimeSpan.FromMinutes(1));
        await Tick(batch, "batch-expiry");
        Assert.True((await batch.Get())!.Finished);

        // Past it (the callback task's too, which its queue then purges), a tick forgets it.
        fixture.Clock.Advance(TimeSpan.FromMinutes(2));
        await ForgottenAfterTicks(batch);
        Assert.Empty(await fixture.Reminders(batch));

        // A tick for the forgotten batch (a reminder that outlived it) makes nothing and stops.
        await Tick(batch, "batch-expiry");
        Assert.Null(await batch.Get());
        Assert.Empty(await fixture.Reminders(batch));
    }

    [Fact]
    public async Task A_finished_batch_is_kept_while_its_callback_task_is_so_a_batch_made_again_under_its_id_can_submit_its_own()
    {
        var batch = NewBatch();
        var finished = await Finished(batch, new TaskSubmission { Type = "echo", Queue = "parked" });

        fixture.Clock.Advance(Retention + TimeSpan.FromMinutes(1));
        await Tick(batch, "batch-expiry");
        Assert.True(await batch.Get() is { Finished: true }, "the batch was forgotten while its callback task is kept");
        Assert.Equal(["batch-expiry"], await fixture.Reminders(batch));

        Assert.True((await _engine.CancelAsync(finished.CallbackTaskId, "test")).Changed);
        fixture.Clock.Advance(Retention + TimeSpan.FromMinutes(1));
        await ForgottenAfterTicks(batch);
        Assert.Null(await _engine.GetAsync(finished.CallbackTaskId));
        Assert.Empty(await fixture.Reminders(batch));

        // Made again under the same id, it runs a callback of its own.
        await Finished(batch, new TaskSubmission { Type = "echo" });
        var callback = (await _engine.WaitAsync(finished.CallbackTaskId, Deadline))!;
        Assert.Equal((TaskState.Completed, "default"), (callback.Status, callback.Queue));
    }

    [Fact]
    public async Task A_batch_stored_finished_without_a_finish_time_counts_its_retention_from_its_next_tick()
    {
        // As stored before batches kept their finish time: its callback was submitted (and was never made here).
        var batch = NewBatch();
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

        await Tick(batch, "batch-recovery");
        Assert.Equal(["batch-expiry"], await fixture.Reminders(batch));
        fixture.Clock.Advance(Retention - TimeSpan.FromMinutes(1));
        await Tick(batch, "batch-expiry");
        Assert.True(await batch.Get() is { Finished: true }, "the batch was forgotten before its retention");

        fixture.Clock.Advance(TimeSpan.FromMinutes(2));
        await Tick(batch, "batch-expiry");
        Assert.Null(await batch.Get());
        Assert.Empty(await fixture.Reminders(batch));
    }

    /// <summary>Ticks until the batch is gone: its queue purges the callback task (retention over) within a few seconds.</summary>
    private async Task ForgottenAfterTicks(IBatchGrain batch) =>
        await Eventually.Until(async () =>
        {
            await Tick(batch, "batch-expiry");
            return await batch.Get();
        }, b => b is null, Deadline, "the batch forgotten");

    private IBatchGrain NewBatch() => fixture.Cluster.GrainFactory.GetGrainByKey<IBatchGrain>("bat-" + TaskEngineClusterClient.NewTaskId());

    /// <summary>Makes the batch with one member (which completes) and <paramref name="callback"/>; waits for it to finish.</summary>
    private async Task<BatchStatus> Finished(IBatchGrain batch, TaskSubmission callback)
    {
        var member = TaskEngineClusterClient.NewTaskId();
        Assert.Equal(BatchCreateOutcome.Created, (await batch.Create(Definition([member]) with { Callback = callback })).Outcome);
        Assert.True((await _engine.SubmitAsync(new TaskSubmission { Type = "echo", BatchId = batch.GetPrimaryKeyString() }, member)).IsAccepted);
        await batch.Seal();
        return (await Eventually.Until(() => batch.Get(), b => b!.Finished, Deadline, "the batch finished"))!;
    }

    private static Task Tick(IBatchGrain batch, string reminder) => batch.AsReference<IRemindable>().ReceiveReminder(reminder, default);

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

        public async Task<TimeSpan> ReminderPeriod(IBatchGrain batch, string name) =>
            (await Services.GetRequiredService<IReminderTable>().ReadRow(batch.GetGrainId(), name)).Period;

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
