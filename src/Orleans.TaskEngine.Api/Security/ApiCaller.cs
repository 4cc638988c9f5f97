namespace Orleans.TaskEngine.Api.Security;

/// <summary>Who a configured API key identifies: its name (a named key's, or <c>key-…</c> for a plain key) and its roles.</summary>
public sealed record ApiCaller(string Name, IReadOnlyList<string> Roles);
