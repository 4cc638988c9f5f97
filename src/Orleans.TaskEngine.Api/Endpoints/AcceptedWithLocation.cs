namespace Orleans.TaskEngine.Api.Endpoints;

/// <summary>A 202 whose <c>Location</c> points at the task, with the given JSON body.</summary>
public sealed class AcceptedWithLocation(string location, IResult body) : IResult
{
    public Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        httpContext.Response.Headers.Location = location;
        return body.ExecuteAsync(httpContext);
    }
}
