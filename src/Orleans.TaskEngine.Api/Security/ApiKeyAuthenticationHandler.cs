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
/// <c>Authorization: Bearer &lt;key&gt;</c> against the configured keys (<see cref="KeyMatcher{TCaller}"/>, built once).
/// The principal's name is a named key's name, or for a plain key a short hash of it, never the key: it partitions the
/// rate limit, scopes idempotency keys and is a task's <c>createdBy</c>. The key's roles become role claims.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    KeyMatcher<ApiCaller> keys) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!keys.HasKeys || BearerHeader.KeyOf(Request.Headers.Authorization.ToString()) is not { } presented)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        if (!keys.TryMatch(presented, out var caller))
        {
            return Task.FromResult(AuthenticateResult.Fail("The API key is not valid."));
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, caller.Name), .. caller.Roles.Select(role => new Claim(ClaimTypes.Role, role))], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        KeyChallenge.WriteAsync(Context, "Send a configured key as 'Authorization: Bearer <key>'.");

    /// <summary>Every configured key with the caller it identifies, matched once per request; a plain key has every role.</summary>
    public static KeyMatcher<ApiCaller> Callers(ApiOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new KeyMatcher<ApiCaller>(
            options.Keys.Select(key => (key, new ApiCaller(KeyId(key), ApiRoles.All)))
                .Concat(options.NamedKeys.Select(named => (named.Value.Key, new ApiCaller(named.Key, named.Value.EffectiveRoles())))));
    }

    public static string KeyId(string key) => "key-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..12];
}
