namespace Orleans.TaskEngine.Http;

public sealed record TaskTypesResponse(IReadOnlyList<string> Types);
