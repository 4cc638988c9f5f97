using System.Text.Json;
using Microsoft.AspNetCore.OpenApi;

namespace Orleans.TaskEngine.Api.OpenApi;

/// <summary>The OpenAPI document of the public API (<c>/openapi/v1.json</c>), the one client generators read.</summary>
public static class TaskEngineOpenApi
{
    public static IServiceCollection AddTaskEngineOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(options =>
        {
            options.ShouldInclude = description => IsPublicApi(description.RelativePath);
            options.CreateSchemaReferenceId = type =>
                // A JsonElement (payload, result) is any JSON; as a named component a generator makes it an empty object type.
                (Nullable.GetUnderlyingType(type.Type) ?? type.Type) == typeof(JsonElement) ? null : OpenApiOptions.CreateDefaultSchemaReferenceId(type);
            options.AddOperationTransformer<ApiKeySecurityTransformer>();
            options.AddDocumentTransformer<NoServersTransformer>();
        });

    /// <summary>
    /// Only <c>/api/*</c>: the Orleans Dashboard's endpoints are its own page's internals, and health and metrics are
    /// for probes and scrapers, not clients.
    /// </summary>
    public static bool IsPublicApi(string? relativePath) =>
        relativePath is not null && (relativePath == "api" || relativePath.StartsWith("api/", StringComparison.Ordinal));
}
