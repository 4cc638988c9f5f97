using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Orleans.TaskEngine.Api.Security;

namespace Orleans.TaskEngine.Api.OpenApi;

/// <summary>
/// Declares the API key as an HTTP bearer scheme and requires it on each operation whose endpoint asks for
/// authorization, so a generated client sends <c>Authorization: Bearer &lt;key&gt;</c>. Anonymous endpoints get none.
/// </summary>
public sealed class ApiKeySecurityTransformer : IOpenApiOperationTransformer
{
    /// <summary>The scheme's name in <c>components.securitySchemes</c>: the authentication scheme's own.</summary>
    public const string SchemeName = ApiKeyAuthenticationHandler.SchemeName;

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operation);
        ArgumentNullException.ThrowIfNull(context);
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        if (context.Document is not { } document || !metadata.OfType<IAuthorizeData>().Any() || metadata.OfType<IAllowAnonymous>().Any())
        {
            return Task.CompletedTask;
        }

        // Added once; later operations find it there.
        document.AddComponent<IOpenApiSecurityScheme>(SchemeName, new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "An API key (TaskEngine:Api:Keys or TaskEngine:Api:NamedKeys), sent as 'Authorization: Bearer <key>'. "
                + "Its roles (submitter, agent, admin) decide which operations it may call.",
        });
        operation.Security ??= [];
        operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SchemeName, document)] = [] });
        return Task.CompletedTask;
    }
}
