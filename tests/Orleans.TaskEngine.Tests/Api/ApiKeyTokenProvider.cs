using Microsoft.Kiota.Abstractions.Authentication;

namespace Orleans.TaskEngine.Tests.Api;

/// <summary>Gives Kiota's bearer provider one API key, as an application using a generated client would.</summary>
public sealed class ApiKeyTokenProvider(string key) : IAccessTokenProvider
{
    public AllowedHostsValidator AllowedHostsValidator { get; } = new();

    public Task<string> GetAuthorizationTokenAsync(Uri uri, Dictionary<string, object>? additionalAuthenticationContext = null, CancellationToken cancellationToken = default) =>
        Task.FromResult(key);
}
