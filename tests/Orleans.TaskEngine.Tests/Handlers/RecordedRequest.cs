namespace Orleans.TaskEngine.Tests.Handlers;

/// <summary>A request <see cref="LoopbackHttpServer"/> received.</summary>
public sealed record RecordedRequest(string Host, string Path, string Method, string Body, string Authorization, string Cookie);
