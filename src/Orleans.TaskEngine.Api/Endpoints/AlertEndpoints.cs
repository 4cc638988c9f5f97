using Orleans.TaskEngine.Alerts;
using Orleans.TaskEngine.Api.Security;

namespace Orleans.TaskEngine.Api.Endpoints;

/// <summary>
/// <c>GET /api/alerts</c>: the cluster's alerts that ever fired, each <c>{name, state, since, message, labels}</c> as its
/// webhook POST carries it. Read-only, so the submitter role sees them (admin too), like <c>/api/queues</c>.
/// </summary>
public static class AlertEndpoints
{
    public static RouteGroupBuilder MapAlertEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/alerts", ListAsync).WithTags("Operations").RequireAuthorization(ApiPolicies.Submitter)
            .WithSummary("The alerts that ever fired, firing or resolved, with since when, a message and labels (rules: TaskEngine:Alerts:Rules).")
            .WithName("listAlerts")
            .Produces<AlertStatus[]>();
        return api;
    }

    private static async Task<IResult> ListAsync(IGrainFactory grains, CancellationToken cancellationToken) =>
        Results.Ok(await grains.GetGrain<IAlertGrain>(0).GetAlerts().WaitAsync(cancellationToken));
}
