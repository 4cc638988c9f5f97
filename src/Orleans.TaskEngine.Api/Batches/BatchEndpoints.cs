using Orleans.TaskEngine.Api.Endpoints;
using Orleans.TaskEngine.Api.Security;
using Orleans.TaskEngine.Batches;
using Orleans.TaskEngine.Grains;
using Orleans.TaskEngine.Http;

namespace Orleans.TaskEngine.Api.Batches;

/// <summary><c>/api/batches</c>: a batch with a callback (made by <c>POST /api/tasks/batch</c> with a <c>callback</c>): read it, cancel it.</summary>
public static class BatchEndpoints
{
    public static RouteGroupBuilder MapBatchEndpoints(this RouteGroupBuilder api)
    {
        var batches = api.MapGroup("/batches").WithTags("Batches").AddEndpointFilter(new RouteIdFilter("batch id"));
        batches.MapGet("/{id}", GetAsync)
            .WithName("getBatch")
            .RequireAuthorization(ApiPolicies.Submitter)
            .WithSummary("A batch with a callback: its members by status, whether all have finished, and the callback task's id.")
            .Produces<BatchResource>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
        batches.MapPost("/{id}/cancel", CancelAsync)
            .WithName("cancelBatch")
            .RequireAuthorization(ApiPolicies.Submitter)
            .WithSummary("Cancel every task of the batch that has not finished; the callback still runs once, when all have.")
            .Produces<BatchResource>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }

    private static async Task<IResult> GetAsync(string id, IGrainFactory grains, CancellationToken cancellationToken) =>
        Answer(id, await grains.GetGrainByKey<IBatchGrain>(id).Get().WaitAsync(cancellationToken));

    private static async Task<IResult> CancelAsync(HttpContext http, string id, IGrainFactory grains, CancellationToken cancellationToken) =>
        Answer(id, await grains.GetGrainByKey<IBatchGrain>(id).Cancel(http.User.Identity?.Name ?? "anonymous").WaitAsync(cancellationToken));

    private static IResult Answer(string id, BatchStatus? status) =>
        status is null
            ? Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such batch", detail: $"There is no batch '{id}'.")
            : Results.Json(BatchResource.From(status), TaskEngineJson.Options);
}
