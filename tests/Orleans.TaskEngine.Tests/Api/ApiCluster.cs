using Orleans.TaskEngine.Client;
using Orleans.TaskEngine.Tests.Infrastructure;

namespace Orleans.TaskEngine.Tests.Api;

/// <summary>
/// A two-silo cluster with the API in front: an open host, and one with API keys and a tiny rate limit.
/// Queues <c>parked</c> and <c>hostile</c> have no workers, so what lands there stays countable. The hostile-input
/// test keeps its own queue: other tests' batches settle the parked queue eventually, which its count must not see.
/// </summary>
public sealed class ApiCluster() : EngineCluster(2, new Dictionary<string, string?>
{
    ["TaskEngine:Queues:Overrides:parked:Exclusive"] = "true",
    ["TaskEngine:Queues:Overrides:hostile:Exclusive"] = "true",
})
{
    public const string Key = "test-key-1";

    public ApiFactory Open { get; private set; } = null!;
    public ApiFactory Keyed { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;
    public TaskEngineHttpClient Api { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Open = new ApiFactory(Cluster.Client, new Dictionary<string, string?>());
        Keyed = new ApiFactory(Cluster.Client, new Dictionary<string, string?>
        {
            ["TaskEngine:Api:Keys:0"] = Key,
            ["TaskEngine:Api:RateLimitPerSecond"] = "1",
            ["TaskEngine:Api:RateLimitBurst"] = "3",
        });
        Http = Open.CreateClient();
        Api = new TaskEngineHttpClient(Http);
    }

    public override async Task DisposeAsync()
    {
        Http?.Dispose();
        if (Open is not null)
        {
            await Open.DisposeAsync();
        }

        if (Keyed is not null)
        {
            await Keyed.DisposeAsync();
        }

        await base.DisposeAsync();
    }

    /// <summary>Pending tasks in the parked queue: a create that should not have happened shows here.</summary>
    public Task<int> ParkedCount() => PendingIn("parked");

    /// <summary>Pending tasks in one queue.</summary>
    public async Task<int> PendingIn(string queue) => (await Engine.GetQueueAsync(queue)).Pending;
}

[CollectionDefinition(Name)]
public sealed class ApiCollection : ICollectionFixture<ApiCluster>
{
    public const string Name = "api";
}
