using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Api.Endpoints;

/// <summary>
/// Refuses a request whose <c>{id}</c> route value is outside <see cref="EngineIds.Grammar"/> with a 400 that says why,
/// before the handler runs: no grain is called for an id that can name nothing, and no ArgumentException from deeper
/// down can surface as a 500.
/// </summary>
public sealed class RouteIdFilter(string what) : IEndpointFilter
{
    public const string RouteValue = "id";

    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (context.HttpContext.Request.RouteValues.TryGetValue(RouteValue, out var value)
            && EngineIds.Describe(value as string, what) is { } reason)
        {
            return ValueTask.FromResult<object?>(ApiProblems.BadRequest(reason));
        }

        return next(context);
    }
}
