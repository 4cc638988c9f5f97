namespace Orleans.TaskEngine.Alerts;

/// <summary>An alert's state; in JSON <c>firing</c> or <c>resolved</c>. An alert that never fired has none (it is not listed).</summary>
public enum AlertState
{
    Firing,
    Resolved,
}
