using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Authorization.Policy;

namespace Orleans.TaskEngine.Api.Security;

/// <summary>
/// A key without the role an endpoint needs gets a 403 problem document that names the role, like the 401 names the
/// header; everything else is handled as ASP.NET Core does by default.
/// </summary>
public sealed class ApiAuthorizationResultHandler : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(authorizeResult);
        var needed = policy.Requirements.OfType<RolesAuthorizationRequirement>().SelectMany(r => r.AllowedRoles).ToList();
        if (!authorizeResult.Forbidden || needed.Count == 0)
        {
            await _default.HandleAsync(next, context, policy, authorizeResult);
            return;
        }

        var roles = string.Join(" or ", needed);
        var held = context.User.FindAll(ClaimTypes.Role).Select(c => c.Value).ToList();
        await Results.Problem(
            statusCode: StatusCodes.Status403Forbidden,
            title: $"The {roles} role is required",
            detail: $"API key '{context.User.Identity?.Name}' has the role(s) {(held.Count == 0 ? "none" : string.Join(", ", held))}; this call needs the {roles} role "
                + "(TaskEngine:Api:NamedKeys:{name}:Roles).").ExecuteAsync(context);
    }
}
