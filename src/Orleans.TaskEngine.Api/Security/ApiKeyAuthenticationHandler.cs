using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Orleans.TaskEngine.Api.Hosting;
using Orleans.TaskEngine.Hosting.Security;

namespace Orleans.TaskEngine.Api.Security;

/// <summary>
/// <c>Authorization: Bearer &lt;key&gt;</c> against the configured keys (compared in constant time).
/// The principal's name is a named key's name, or for a plain key a short hash of it, never the key: it partitions the
/// rate limit, scopes idempotency keys and is a task's <c>createdBy</c>. The key's roles become role claims.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IOptions<ApiOptions> api) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var options = api.Value;
        if (!options.HasKeys)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var presented = Encoding.UTF8.GetBytes(header["Bearer ".Length..].Trim());
        foreach (var (key, name, roles) in Callers(options))
        {
            if (CryptographicOperations.FixedTimeEquals(presented, Encoding.UTF8.GetBytes(key)))
            {
                var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, name), .. roles.Select(role => new Claim(ClaimTypes.Role, role))], SchemeName);
                return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
            }
        }

        return Task.FromResult(AuthenticateResult.Fail("The API key is not valid."));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        KeyChallenge.WriteAsync(Context, "Send a configured key as 'Authorization: Bearer <key>'.");

    /// <summary>Every configured key with the caller it identifies and its roles; a plain key has every role.</summary>
    private static IEnumerable<(string Key, string Name, IReadOnlyList<string> Roles)> Callers(ApiOptions options) =>
        options.Keys.Select(key => (key, KeyId(key), ApiRoles.All))
            .Concat(options.NamedKeys.Select(named => (named.Value.Key, named.Key, named.Value.EffectiveRoles())));

    public static string KeyId(string key) => "key-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..12];
}
