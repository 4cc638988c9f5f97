using Microsoft.AspNetCore.Authorization;

namespace Orleans.TaskEngine.Api.Security;

/// <summary>The authorization policies endpoints name in <c>RequireAuthorization</c>; each lets <see cref="ApiRoles.Admin"/> in.</summary>
public static class ApiPolicies
{
    /// <summary>Task endpoints and the read-only operator views: role submitter or admin.</summary>
    public const string Submitter = "submitter";

    /// <summary>Agent endpoints (claiming work, reporting progress and outcomes): role agent or admin.</summary>
    public const string Agent = "agent";

    /// <summary>Role admin.</summary>
    public const string Admin = "admin";

    /// <summary>
    /// Adds the policies. Without keys nobody can be told apart, so every policy lets every caller in: the API stays
    /// open (on loopback only) as it was before roles.
    /// </summary>
    public static void Add(AuthorizationOptions options, bool keysConfigured)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.AddPolicy(Submitter, Policy(keysConfigured, ApiRoles.Submitter, ApiRoles.Admin));
        options.AddPolicy(Agent, Policy(keysConfigured, ApiRoles.Agent, ApiRoles.Admin));
        options.AddPolicy(Admin, Policy(keysConfigured, ApiRoles.Admin));
    }

    private static AuthorizationPolicy Policy(bool keysConfigured, params string[] roles) =>
        keysConfigured
            ? new AuthorizationPolicyBuilder(ApiKeyAuthenticationHandler.SchemeName).RequireAuthenticatedUser().RequireRole(roles).Build()
            : new AuthorizationPolicyBuilder().RequireAssertion(_ => true).Build();
}
