using System.Security.Cryptography;
using System.Text;
using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Api.Endpoints;

/// <summary>
/// An idempotency key maps to a fixed task id (scoped to the caller's API key), so a repeat lands on the same task
/// grain and creates nothing; the key lasts as long as the task is retained.
/// </summary>
public static class IdempotencyKeys
{
    public const string Header = "Idempotency-Key";
    public const int MaxLength = 200;

    /// <summary>
    /// Why <paramref name="key"/> cannot be an idempotency key, naming it <paramref name="what"/> (the header or the
    /// field); null when it can. A key is hashed as UTF-8, where every lone surrogate becomes the same replacement
    /// character: two different keys would land on one task, so such a key is refused rather than mapped.
    /// </summary>
    public static string? Describe(string key, string what)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.Length is 0 or > MaxLength || string.IsNullOrWhiteSpace(key) || !SubmissionValidator.IsPlainText(key)
            ? $"{what} must be 1–{MaxLength} characters, not all blank, without control or invisible formatting characters."
            : null;
    }

    public static string TaskIdFor(string caller, string key) =>
        "idem-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{caller}\n{key}")))[..32];
}
