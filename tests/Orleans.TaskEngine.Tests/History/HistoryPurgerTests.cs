using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Storage;
using Orleans.TaskEngine.History;
using Orleans.TaskEngine.Hosting;
using Orleans.TaskEngine.Storage;
using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Tests.History;

public sealed class HistoryPurgerTests
{
    private static readonly IServiceProvider Serialization = new ServiceCollection().AddSerializer().BuildServiceProvider();

    [Fact]
    public async Task A_purge_removes_what_is_past_the_retention_batch_after_batch_and_keeps_the_rest()
    {
        var now = new DateTimeOffset(2030, 1, 10, 0, 0, 0, TimeSpan.Zero);
        var options = Options.Create(new HistoryOptions { Retention = TimeSpan.FromDays(7), PurgeBatchSize = 2 });
        var cluster = Options.Create(new ClusterOptions { ServiceId = "purge-" + Guid.NewGuid().ToString("N")[..8] });
        var history = new InProcessTaskHistory(cluster, options);
        var storage = new InProcessGrainStorage(Serialization.GetRequiredService<Serializer>(), cluster, history);
        for (var day = 0; day < 9; day++)
        {
            var created = now.AddDays(-day).AddHours(-1);
            var state = new TaskGrainState
            {
                Submission = new TaskSubmission { Type = "echo" },
                CreatedAt = created,
                Status = TaskState.Completed,
                LastSequence = 1,
                History = [new TaskEvent { Sequence = 1, Status = TaskState.Completed, At = created }],
            };
            await storage.WriteStateAsync(TaskAuditProjection.StateName, GrainId.Create("task", $"d{day}"), new GrainState<TaskGrainState> { State = state });
        }

        var purger = new HistoryPurger(new ServiceCollection().BuildServiceProvider(), options, new FixedTime(now), NullLogger<HistoryPurger>.Instance);

        // Days 7 and 8 are past the seven-day retention: two batches of two (the second short).
        Assert.Equal(2, await purger.PurgeOnceAsync(history, CancellationToken.None));
        Assert.Equal(0, await purger.PurgeOnceAsync(history, CancellationToken.None));
        Assert.Equal(7, (await history.SearchAsync(new TaskSearchQuery())).Items.Count);
        Assert.Null(await history.LoadAsync("d8", createdAt: null));
        Assert.NotNull(await history.LoadAsync("d6", createdAt: null));
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
