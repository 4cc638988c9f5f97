using Orleans.TaskEngine.Api.Security;
using Orleans.TaskEngine.Client;
using Orleans.TaskEngine.Http;
using Orleans.TaskEngine.Scheduling;
using Orleans.TaskEngine.Workers;

namespace Orleans.TaskEngine.Api.Endpoints;

/// <summary>What operators watch: queues, workers, task types. Read-only, so the submitter role sees them (admin too).</summary>
public static class OperationsEndpoints
{
    public static RouteGroupBuilder MapOperationsEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/queues", GetQueuesAsync)
            .WithName("listQueues").WithTags("Operations").RequireAuthorization(ApiPolicies.Submitter)
            .WithSummary("Per queue: pending tasks by priority, running, capacity and workers.")
            .Produces<QueueStatus[]>();
        api.MapGet("/workers", GetWorkersAsync)
            .WithName("listWorkers").WithTags("Operations").RequireAuthorization(ApiPolicies.Submitter)
            .WithSummary("Every live worker: its silo, slots and running tasks.")
            .Produces<WorkerStatus[]>();
        api.MapGet("/task-types", GetTypesAsync)
            .WithName("listTaskTypes").WithTags("Operations").RequireAuthorization(ApiPolicies.Submitter)
            .WithSummary("The task types the cluster can run.")
            .Produces<TaskTypesResponse>();
        return api;
    }

    private static async Task<IResult> GetQueuesAsync(IGrainFactory grains, TaskEngineClusterClient engine, CancellationToken cancellationToken)
    {
        var names = await grains.GetGrain<IQueueDirectoryGrain>(0).GetQueues().WaitAsync(cancellationToken);
        var queues = await Task.WhenAll(names.Select(name => engine.GetQueueAsync(name, cancellationToken)));
        return Results.Ok(queues);
    }

    private static async Task<IResult> GetWorkersAsync(TaskEngineClusterClient engine, CancellationToken cancellationToken) =>
        Results.Ok(await engine.GetWorkersAsync(cancellationToken));

    private static async Task<IResult> GetTypesAsync(TaskTypeCatalog types, CancellationToken cancellationToken) =>
        Results.Ok(new TaskTypesResponse(await types.GetAsync(cancellationToken)));
}
