using System.Net;

namespace Orleans.TaskEngine.Client;

/// <summary>The API answered with an error; <see cref="Exception.Message"/> carries its problem document's title and detail.</summary>
public sealed class TaskEngineApiException : Exception
{
    public TaskEngineApiException()
    {
    }

    public TaskEngineApiException(string message)
        : base(message)
    {
    }

    public TaskEngineApiException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public TaskEngineApiException(HttpStatusCode status, string? title, string? detail, TimeSpan? retryAfter)
        : base($"{(int)status} {title}: {detail}")
    {
        Status = status;
        Title = title;
        Detail = detail;
        RetryAfter = retryAfter;
    }

    public HttpStatusCode Status { get; }
    public string? Title { get; }
    public string? Detail { get; }

    /// <summary>For 429 and 503: when to try again.</summary>
    public TimeSpan? RetryAfter { get; }
}
