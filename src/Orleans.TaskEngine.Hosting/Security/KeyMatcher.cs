using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;

namespace Orleans.TaskEngine.Hosting.Security;

/// <summary>
/// The configured keys, each with the caller it identifies, matched against a presented key: the API host's and the
/// silos' one check. Each key is encoded once, not per request, and every key is compared (in constant time) whichever
/// matches, so the time taken tells nothing of the keys. Blank keys are left out.
/// </summary>
/// <typeparam name="TCaller">What a key identifies.</typeparam>
public sealed class KeyMatcher<TCaller>
{
    private readonly (byte[] Key, TCaller Caller)[] _keys;

    public KeyMatcher(IEnumerable<(string Key, TCaller Caller)> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        _keys = [.. keys.Where(k => !string.IsNullOrWhiteSpace(k.Key)).Select(k => (Encoding.UTF8.GetBytes(k.Key), k.Caller))];
    }

    public bool HasKeys => _keys.Length > 0;

    /// <summary>Whether <paramref name="presented"/> is one of the keys, and whose.</summary>
    public bool TryMatch(string presented, [MaybeNullWhen(false)] out TCaller caller)
    {
        ArgumentNullException.ThrowIfNull(presented);
        var bytes = Encoding.UTF8.GetBytes(presented);
        caller = default;
        var matched = false;
        foreach (var (key, owner) in _keys)
        {
            if (CryptographicOperations.FixedTimeEquals(bytes, key) && !matched)
            {
                caller = owner;
                matched = true;
            }
        }

        return matched;
    }
}
