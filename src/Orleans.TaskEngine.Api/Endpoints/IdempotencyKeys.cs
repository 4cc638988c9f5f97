using System.Security.Cryptography;
using System.Text;

namespace Orleans.TaskEngine.Api.Endpoints;

/// <summary>
/// An idempotency key maps to a fixed task id (scoped to the caller's API key), so a repeat lands on the same task
/// grain and creates nothing; the key lasts as long as the task is retained.
/// </summary>
public static class IdempotencyKeys
{
    public const string Header = "Idempotency-Key";
    public const int MaxLength = 200;

    public static string TaskIdFor(string caller, string key) =>
        "idem-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{caller}\n{key}")))[..32];
}
