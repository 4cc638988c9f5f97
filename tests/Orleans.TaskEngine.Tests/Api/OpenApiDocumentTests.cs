using System.Text.Json;

namespace Orleans.TaskEngine.Tests.Api;

/// <summary>
/// The OpenAPI document as client generators read it: only the public <c>/api</c> operations, each with a unique
/// operationId and a summary, and the API key declared as a bearer scheme on every one of them.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class OpenApiDocumentTests(ApiCluster fixture)
{
    private static readonly string[] Methods = ["get", "put", "post", "delete", "patch", "head", "options", "trace"];

    [Fact]
    public async Task Every_operation_has_a_unique_operationId_and_a_summary()
    {
        using var document = await DocumentAsync();

        var operations = Operations(document).ToList();
        Assert.True(operations.Count >= 23, $"only {operations.Count} operations in the document");
        var missing = operations.Where(o => string.IsNullOrWhiteSpace(o.OperationId) || string.IsNullOrWhiteSpace(o.Summary)).Select(o => o.Name).ToList();
        Assert.True(missing.Count == 0, "without an operationId or a summary: " + string.Join(", ", missing));
        var repeated = operations.GroupBy(o => o.OperationId).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(repeated.Count == 0, "operationIds used twice: " + string.Join(", ", repeated));
        Assert.Contains(operations, o => o is { OperationId: "submitTask", Name: "post /api/tasks" });
        Assert.Contains(operations, o => o is { OperationId: "getTask", Name: "get /api/tasks/{id}" });
    }

    [Fact]
    public async Task Only_the_api_is_in_the_document_not_the_dashboard_health_or_metrics()
    {
        // The embedded host maps the Orleans Dashboard; the fixture's hosts are clients of a test cluster and do not.
        await using var embedded = Infrastructure.KeyedApiFactory.Create();
        using var http = embedded.CreateClient();
        Assert.Equal(System.Net.HttpStatusCode.OK, (await http.GetAsync("/dashboard/version")).StatusCode);
        using var document = JsonDocument.Parse(await http.GetStringAsync("/openapi/v1.json"));

        var paths = document.RootElement.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.DoesNotContain(paths, p => p.StartsWith("/dashboard", StringComparison.Ordinal));
        Assert.All(paths, p => Assert.StartsWith("/api/", p, StringComparison.Ordinal));
        Assert.Contains("/api/tasks/{id}", paths);
    }

    [Fact]
    public async Task The_api_key_is_a_bearer_scheme_required_by_every_operation()
    {
        using var document = await DocumentAsync();

        var scheme = document.RootElement.GetProperty("components").GetProperty("securitySchemes").GetProperty("ApiKey");
        Assert.Equal("http", scheme.GetProperty("type").GetString());
        Assert.Equal("bearer", scheme.GetProperty("scheme").GetString());
        Assert.Contains("API key", scheme.GetProperty("description").GetString(), StringComparison.Ordinal);
        foreach (var operation in Operations(document))
        {
            var requirements = operation.Element.TryGetProperty("security", out var security) ? security.EnumerateArray().ToList() : [];
            Assert.True(requirements.Count == 1 && requirements[0].TryGetProperty("ApiKey", out _), $"{operation.Name} does not require the API key");
        }

        // Documents are fetched without a key, and no generated server address pins a client to the host that served it.
        Assert.False(document.RootElement.TryGetProperty("servers", out var servers) && servers.GetArrayLength() > 0);
    }

    [Fact]
    public async Task Payloads_and_results_are_any_json_not_an_object_type()
    {
        using var document = await DocumentAsync();

        var schemas = document.RootElement.GetProperty("components").GetProperty("schemas");
        Assert.False(schemas.TryGetProperty("JsonElement", out _), "JsonElement is a named (empty object) schema");
        // The empty schema: any JSON value, null included.
        Assert.Empty(schemas.GetProperty("SubmitTaskRequest").GetProperty("properties").GetProperty("payload").EnumerateObject());
        Assert.Empty(schemas.GetProperty("TaskResource").GetProperty("properties").GetProperty("result").EnumerateObject());
        Assert.Empty(schemas.GetProperty("AgentCompleteRequest").GetProperty("properties").GetProperty("result").EnumerateObject());
    }

    [Fact]
    public async Task Stats_answer_json_or_csv_and_the_event_stream_is_text()
    {
        using var document = await DocumentAsync();

        var paths = document.RootElement.GetProperty("paths");
        var stats = paths.GetProperty("/api/stats").GetProperty("get").GetProperty("responses").GetProperty("200").GetProperty("content");
        Assert.Equal("#/components/schemas/TaskStats", stats.GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString());
        Assert.Equal("string", stats.GetProperty("text/csv").GetProperty("schema").GetProperty("type").GetString());
        var events = paths.GetProperty("/api/tasks/{id}/events").GetProperty("get").GetProperty("responses").GetProperty("200").GetProperty("content");
        Assert.Equal("string", events.GetProperty("text/event-stream").GetProperty("schema").GetProperty("type").GetString());
    }

    private async Task<JsonDocument> DocumentAsync() => JsonDocument.Parse(await fixture.Http.GetStringAsync("/openapi/v1.json"));

    private static IEnumerable<(string Name, string? OperationId, string? Summary, JsonElement Element)> Operations(JsonDocument document) =>
        from path in document.RootElement.GetProperty("paths").EnumerateObject()
        from method in path.Value.EnumerateObject()
        where Methods.Contains(method.Name)
        select ($"{method.Name} {path.Name}",
            method.Value.TryGetProperty("operationId", out var id) ? id.GetString() : null,
            method.Value.TryGetProperty("summary", out var summary) ? summary.GetString() : null,
            method.Value);
}
