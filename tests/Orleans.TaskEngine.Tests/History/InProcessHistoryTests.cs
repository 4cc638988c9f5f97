using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Serialization;
using Orleans.Storage;
using Orleans.TaskEngine.History;
using Orleans.TaskEngine.Hosting;
using Orleans.TaskEngine.Storage;
using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Tests.History;

/// <summary>The embedded mode's audit log keeps the contract, and its bound.</summary>
public sealed class InProcessHistoryTests : HistoryContract
{
    private static readonly IServiceProvider Serialization = new ServiceCollection().AddSerializer().BuildServiceProvider();

    protected override (IGrainStorage Storage, ITaskHistory History) CreateStores(string serviceId) => CreateStores(serviceId, maxTasks: 100_000);

    private static (IGrainStorage Storage, ITaskHistory History) CreateStores(string serviceId, int maxTasks)
    {
        var cluster = Options.Create(new ClusterOptions { ServiceId = serviceId });
        var history = new InProcessTaskHistory(cluster, Options.Create(new HistoryOptions { MaxTasks = maxTasks }));
        return (new InProcessGrainStorage(Serialization.GetRequiredService<Serializer>(), cluster, history), history);
    }

    [Fact]
    public async Task Past_MaxTasks_the_oldest_incarnations_go_first()
    {
        var (storage, history) = CreateStores("bounded-" + Guid.NewGuid().ToString("N")[..8], maxTasks: 3);
        var t0 = new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);
        for (var i = 0; i < 5; i++)
        {
            var state = new TaskGrainState
            {
                Submission = new TaskSubmission { Type = "echo" },
                CreatedAt = t0.AddMinutes(i),
                Status = TaskState.Pending,
                LastSequence = 1,
                History = [new TaskEvent { Sequence = 1, Status = TaskState.Pending, At = t0.AddMinutes(i), Message = "submitted" }],
            };
            await storage.WriteStateAsync(TaskAuditProjection.StateName, Orleans.Runtime.GrainId.Create("task", $"b{i}"), new GrainState<TaskGrainState> { State = state });
        }

        Assert.Equal(["b4", "b3", "b2"], (await history.SearchAsync(new TaskSearchQuery())).Items.Select(i => i.Id));
        Assert.Null(await history.LoadAsync("b0", createdAt: null));
    }
}
