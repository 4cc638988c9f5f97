namespace Orleans.TaskEngine.Agents;

public enum AgentReportKind
{
    Progress,
    Complete,
    Fail,
}
