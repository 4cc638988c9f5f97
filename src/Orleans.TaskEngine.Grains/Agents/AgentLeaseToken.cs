using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Orleans.TaskEngine.Agents;

/// <summary>
/// Lease tokens, <c>{agentId}.{attempt}.{signature}</c>: the signature is an HMAC of the task id, agent and attempt with
/// the agent's own secret, so the agent grain checks any token it issued without keeping a table of them (a fresh
/// activation after a silo failure checks them too), and a token cannot be made up or moved to another task.
/// Whether the lease is still current is the task's to say: its attempt must still be the token's, and running.
/// </summary>
public static class AgentLeaseToken
{
    public static string Create(byte[] secret, string agentId, string taskId, int attempt) =>
        $"{agentId}.{attempt.ToString(CultureInfo.InvariantCulture)}.{Sign(secret, agentId, taskId, attempt)}";

    /// <summary>Reads the agent and attempt out of a token, without checking its signature (the agent's grain does).</summary>
    public static bool TryParse(string? token, [NotNullWhen(true)] out string? agentId, out int attempt)
    {
        agentId = null;
        attempt = 0;
        var parts = token?.Split('.');
        if (parts is not { Length: 3 } || !AgentKey.IsAgent(parts[0])
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out attempt) || attempt < 1)
        {
            return false;
        }

        agentId = parts[0];
        return true;
    }

    public static bool IsValid(byte[] secret, string token, string agentId, string taskId, out int attempt)
    {
        if (!TryParse(token, out var tokenAgent, out attempt) || tokenAgent != agentId)
        {
            return false;
        }

        var expected = Encoding.ASCII.GetBytes(Create(secret, agentId, taskId, attempt));
        return CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(token));
    }

    private static string Sign(byte[] secret, string agentId, string taskId, int attempt)
    {
        var mac = HMACSHA256.HashData(secret, Encoding.UTF8.GetBytes($"{agentId}\n{taskId}\n{attempt.ToString(CultureInfo.InvariantCulture)}"));
        return Convert.ToHexStringLower(mac.AsSpan(0, 16));
    }
}
