using Orleans.TaskEngine.Batches;

namespace Orleans.TaskEngine.Http;

/// <summary>The answer of <c>GET /api/batches/{id}</c> and <c>POST /api/batches/{id}/cancel</c>.</summary>
public sealed record BatchResource(string Id, int Total, BatchCountsResource Counts, bool Finished, string CallbackTaskId)
{
    public static BatchResource From(BatchStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        return new(status.Id, status.Total, BatchCountsResource.From(status.Counts), status.Finished, status.CallbackTaskId);
    }
}
