namespace Orleans.TaskEngine.Schedules;

/// <summary>A schedule as its grain answers it.</summary>
[GenerateSerializer, Immutable]
public sealed record ScheduleInfo
{
    [Id(0)] public required string Id { get; init; }

    [Id(1)] public required ScheduleDefinition Definition { get; init; }

    [Id(2)] public bool Paused { get; init; }

    /// <summary>The next fire times (UTC); empty while paused.</summary>
    [Id(3)] public IReadOnlyList<DateTimeOffset> NextFireTimes { get; init; } = [];

    [Id(4)] public DateTimeOffset CreatedAt { get; init; }
}
