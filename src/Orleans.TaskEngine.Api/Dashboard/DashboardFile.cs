namespace Orleans.TaskEngine.Api.Dashboard;

/// <summary>One embedded dashboard file: its bytes, content type and the ETag that revalidates it.</summary>
internal sealed record DashboardFile(ReadOnlyMemory<byte> Bytes, string ContentType, string ETag);
