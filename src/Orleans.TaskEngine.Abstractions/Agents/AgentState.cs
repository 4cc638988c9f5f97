namespace Orleans.TaskEngine.Agents;

public enum AgentState
{
    /// <summary>Never registered (or forgotten).</summary>
    Unknown,
    Active,

    /// <summary>Deregistered: takes no new work; its running leases finish or expire.</summary>
    Draining,

    /// <summary>Missed its heartbeats, or finished draining: it must register again.</summary>
    Dead,
}
