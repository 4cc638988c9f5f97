using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Orleans.TaskEngine.Api.OpenApi;

/// <summary>
/// Drops the <c>servers</c> list, which would name the host and port of whichever request fetched the document: a client
/// generated from it would carry that address, and two hosts would serve two different documents. Without it, Scalar
/// calls the origin it was loaded from and a generated client is given its base address.
/// </summary>
public sealed class NoServersTransformer : IOpenApiDocumentTransformer
{
    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(document);
        document.Servers = [];
        return Task.CompletedTask;
    }
}
