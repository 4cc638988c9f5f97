using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Orleans.TaskEngine.Hosting.Security;

/// <summary>A silo's HTTP address behind the API keys when keys are configured: every endpoint not marked anonymous.</summary>
public static class SiloKeyExtensions
{
    public static IServiceCollection AddSiloKeys(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        var keys = SiloKeys.From(configuration);
        services.AddSingleton(keys);
        services.AddAuthentication(SiloKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, SiloKeyAuthenticationHandler>(SiloKeyAuthenticationHandler.SchemeName, null);
        services.AddAuthorization(o =>
        {
            if (keys.HasKeys)
            {
                o.FallbackPolicy = new AuthorizationPolicyBuilder(SiloKeyAuthenticationHandler.SchemeName).RequireAuthenticatedUser().Build();
            }
        });
        return services;
    }
}
