using Microsoft.AspNetCore.Http;

namespace Orleans.TaskEngine.Hosting.Security;

/// <summary>The one 401 answer for a missing or wrong key, on the API host and on silos: a problem with a Bearer challenge.</summary>
public static class KeyChallenge
{
    public static Task WriteAsync(HttpContext context, string detail)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = "Bearer";
        return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "An API key is required", detail: detail).ExecuteAsync(context);
    }
}
