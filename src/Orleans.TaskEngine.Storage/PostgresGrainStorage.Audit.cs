using Npgsql;
using NpgsqlTypes;
using Orleans.TaskEngine.History;

namespace Orleans.TaskEngine.Storage;

/// <summary>The audit log's rows of a batch's task writes, as the write statement's array parameters.</summary>
public sealed partial class PostgresGrainStorage
{
    /// <summary>The audit rows of a batch's writes as arrays, one element an incarnation's summary and new event lines; empty when none.</summary>
    private static void AddAuditParameters(NpgsqlParameterCollection parameters, Operation[] operations)
    {
        var audited = operations.Where(o => o.Audit is not null).ToArray();
        var summaries = audited.Length;
        var names = new string[summaries];
        var ids = new string[summaries];
        var tasks = new string[summaries];
        var created = new DateTime[summaries];
        var types = new string[summaries];
        var queues = new string[summaries];
        var priorities = new int[summaries];
        var statuses = new string[summaries];
        var attempts = new int[summaries];
        var createdBy = new string?[summaries];
        var started = new DateTime?[summaries];
        var finished = new DateTime?[summaries];
        var tagFrom = new int[summaries];
        var tagTo = new int[summaries];
        var errorKinds = new string?[summaries];
        var errorMessages = new string?[summaries];
        var errorAt = new DateTime?[summaries];
        var events = new string[summaries];
        var through = new long[summaries];
        var outcomes = new string?[summaries];
        var tags = new List<string>();
        for (var i = 0; i < summaries; i++)
        {
            var rows = audited[i].Audit!;
            var summary = rows.Summary;
            names[i] = audited[i].StateName;
            ids[i] = audited[i].GrainId;
            tasks[i] = summary.Id;
            created[i] = summary.CreatedAt.UtcDateTime;
            types[i] = summary.Type;
            queues[i] = summary.Queue;
            priorities[i] = (int)summary.Priority;
            statuses[i] = AuditText.Status(summary.Status);
            outcomes[i] = AuditText.Outcome(summary.Status);
            attempts[i] = summary.Attempts;
            createdBy[i] = summary.CreatedBy;
            started[i] = summary.StartedAt?.UtcDateTime;
            finished[i] = summary.FinishedAt?.UtcDateTime;
            tagFrom[i] = tags.Count + 1;
            tags.AddRange(summary.Tags ?? []);
            tagTo[i] = tags.Count;
            errorKinds[i] = summary.LastErrorKind;
            errorMessages[i] = summary.LastErrorMessage;
            errorAt[i] = rows.LastErrorAt?.UtcDateTime;
            events[i] = AuditEventLines.Write(rows.Events);
            through[i] = rows.AuditedThrough;
        }

        // Typed explicitly: arrays that may hold NULLs, and empty arrays whose type nothing else would tell.
        Add(parameters, "a_names", NpgsqlDbType.Text, names);
        Add(parameters, "a_ids", NpgsqlDbType.Text, ids);
        Add(parameters, "a_tasks", NpgsqlDbType.Text, tasks);
        Add(parameters, "a_created", NpgsqlDbType.TimestampTz, created);
        Add(parameters, "a_types", NpgsqlDbType.Text, types);
        Add(parameters, "a_queues", NpgsqlDbType.Text, queues);
        Add(parameters, "a_priorities", NpgsqlDbType.Integer, priorities);
        Add(parameters, "a_statuses", NpgsqlDbType.Text, statuses);
        Add(parameters, "a_attempts", NpgsqlDbType.Integer, attempts);
        Add(parameters, "a_created_by", NpgsqlDbType.Text, createdBy);
        Add(parameters, "a_started", NpgsqlDbType.TimestampTz, started);
        Add(parameters, "a_finished", NpgsqlDbType.TimestampTz, finished);
        Add(parameters, "a_tag_from", NpgsqlDbType.Integer, tagFrom);
        Add(parameters, "a_tag_to", NpgsqlDbType.Integer, tagTo);
        Add(parameters, "a_error_kinds", NpgsqlDbType.Text, errorKinds);
        Add(parameters, "a_error_messages", NpgsqlDbType.Text, errorMessages);
        Add(parameters, "a_tags", NpgsqlDbType.Text, tags.ToArray());
        Add(parameters, "a_error_at", NpgsqlDbType.TimestampTz, errorAt);
        Add(parameters, "a_events", NpgsqlDbType.Text, events);
        Add(parameters, "a_through", NpgsqlDbType.Bigint, through);
        Add(parameters, "a_outcomes", NpgsqlDbType.Text, outcomes);

        static void Add<T>(NpgsqlParameterCollection parameters, string name, NpgsqlDbType type, T[] values) =>
            parameters.Add(new NpgsqlParameter<T[]>(name, NpgsqlDbType.Array | type) { TypedValue = values });
    }
}
