using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Orleans.TaskEngine.Hosting.Security;

/// <summary><c>Authorization: Bearer &lt;key&gt;</c> on a silo's HTTP address, against <see cref="SiloKeys"/>.</summary>
public sealed class SiloKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    SiloKeys keys) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "SiloKey";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!keys.HasKeys || BearerHeader.KeyOf(Request.Headers.Authorization.ToString()) is not { } presented)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        if (!keys.Accepts(presented))
        {
            return Task.FromResult(AuthenticateResult.Fail("The API key is not valid."));
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, SiloKeys.Operator)], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) => KeyChallenge.WriteAsync(Context,
        "This silo's dashboard and metrics need one of the keys of TaskEngine:Api:Keys or NamedKeys, as 'Authorization: Bearer <key>'.");
}
