namespace Orleans.TaskEngine.Api.Endpoints;

/// <summary>The RFC 7807 problem documents the API answers with.</summary>
public static class ApiProblems
{
    public static IResult BadRequest(string detail, IDictionary<string, object?>? extensions = null) =>
        Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The request is not valid", detail: detail, extensions: extensions);

    public static IResult TooLarge(string detail) =>
        Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "The payload is too large", detail: detail);

    public static IResult NotFound(string id) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such task", detail: $"There is no task '{id}' (or it expired after its retention time).");

    public static IResult Conflict(string detail) =>
        Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "The task is not in a state for this", detail: detail);

    /// <summary>429 with <c>Retry-After</c>: the queue is full or the caller is over its rate.</summary>
    public static IResult TooMany(HttpContext http, string title, string detail, int retryAfterSeconds = 1, IDictionary<string, object?>? extensions = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        http.Response.Headers.RetryAfter = retryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: title, detail: detail, extensions: extensions);
    }
}
