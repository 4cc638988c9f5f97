using System.Text.Json;
using Orleans.TaskEngine.Http;

namespace Orleans.TaskEngine.Api.Endpoints;

/// <summary>Reads a JSON body ourselves so a malformed one gets a problem document that says where it breaks.</summary>
public static class JsonBody
{
    public static async Task<(T? Value, IResult? Problem)> ReadAsync<T>(HttpRequest request, CancellationToken cancellationToken)
        where T : class
    {
        try
        {
            var value = await JsonSerializer.DeserializeAsync<T>(request.Body, TaskEngineJson.Options, cancellationToken);
            return value is null ? (null, ApiProblems.BadRequest("The body must be a JSON object.")) : (value, null);
        }
        catch (JsonException ex)
        {
            var where = ex.Path is null ? string.Empty : $" at {ex.Path}";
            return (null, ApiProblems.BadRequest($"The body is not valid JSON for this request{where}: {ex.Message}"));
        }
    }
}
