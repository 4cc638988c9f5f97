using System.Security.Cryptography;
using Orleans.TaskEngine.Agents;

namespace Orleans.TaskEngine.Tests.Agents;

public sealed class AgentLeaseTokenTests
{
    private static readonly byte[] Secret = RandomNumberGenerator.GetBytes(32);
    private const string Agent = "agent-0123456789abcdef0123456789abcdef";

    [Fact]
    public void A_token_names_its_agent_and_attempt_and_is_valid_only_for_its_task_attempt_and_secret()
    {
        var token = AgentLeaseToken.Create(Secret, Agent, "task-1", 3);

        Assert.True(AgentLeaseToken.TryParse(token, out var agent, out var attempt));
        Assert.Equal(Agent, agent);
        Assert.Equal(3, attempt);
        Assert.True(AgentLeaseToken.IsValid(Secret, token, Agent, "task-1", out _));
        Assert.False(AgentLeaseToken.IsValid(Secret, token, Agent, "task-2", out _));
        Assert.False(AgentLeaseToken.IsValid(RandomNumberGenerator.GetBytes(32), token, Agent, "task-1", out _));
        Assert.False(AgentLeaseToken.IsValid(Secret, token.Replace(".3.", ".4.", StringComparison.Ordinal), Agent, "task-1", out _));
        Assert.False(AgentLeaseToken.IsValid(Secret, token, "agent-ffffffffffffffffffffffffffffffff", "task-1", out _));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("nonsense")]
    [InlineData("agent-x.0.abc")]
    [InlineData("agent-x.-1.abc")]
    [InlineData("worker-x.1.abc")]
    [InlineData("agent-x.1")]
    [InlineData("agent-x.1.a.b")]
    public void Malformed_tokens_do_not_parse(string? token) => Assert.False(AgentLeaseToken.TryParse(token, out _, out _));
}
