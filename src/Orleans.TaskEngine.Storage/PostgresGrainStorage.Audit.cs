using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using Orleans.Configuration;
using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Serialization.Serializers;
using Orleans.Storage;
using Orleans.TaskEngine.History;
using Orleans.TaskEngine.Hosting;

namespace Orleans.TaskEngine.Storage;

/// <summary>The audit log's rows of a batch's task writes, as the write statement's array parameters.</summary>
public sealed partial class PostgresGrainStorage
{
    /// <summary>The audit rows of a batch's writes as arrays, one element a summary (a_*) or an event (e_*); empty when none.</summary>
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
        var tags = new List<string>();
        var events = 0;
        for (var i = 0; i < summaries; i++)
        {
            var (summary, audit) = audited[i].Audit!;
            names[i] = audited[i].StateName;
            ids[i] = audited[i].GrainId;
            tasks[i] = summary.Id;
            created[i] = summary.CreatedAt.UtcDateTime;
            types[i] = summary.Type;
            queues[i] = summary.Queue;
            priorities[i] = (int)summary.Priority;
            statuses[i] = AuditText.Status(summary.Status);
            attempts[i] = summary.Attempts;
            createdBy[i] = summary.CreatedBy;
            started[i] = summary.StartedAt?.UtcDateTime;
            finished[i] = summary.FinishedAt?.UtcDateTime;
            tagFrom[i] = tags.Count + 1;
            tags.AddRange(summary.Tags ?? []);
            tagTo[i] = tags.Count;
            errorKinds[i] = summary.LastErrorKind;
            errorMessages[i] = summary.LastErrorMessage;
            events += audit.Count;
        }

        var rows = new long[events];
        var seqs = new long[events];
        var at = new DateTime[events];
        var kinds = new string[events];
        var eventStatuses = new string[events];
        var eventAttempts = new int[events];
        var workers = new string?[events];
        var silos = new string?[events];
        var actors = new string?[events];
        var messages = new string?[events];
        var eventErrorKinds = new string?[events];
        var percents = new double?[events];
        var e = 0;
        for (var i = 0; i < summaries; i++)
        {
            foreach (var audit in audited[i].Audit!.Events)
            {
                var item = audit.Event;
                rows[e] = i + 1; // WITH ORDINALITY counts from 1
                seqs[e] = item.Sequence;
                at[e] = item.At.UtcDateTime;
                kinds[e] = AuditText.Kind(item.Kind);
                eventStatuses[e] = AuditText.Status(item.Status);
                eventAttempts[e] = item.Attempt;
                workers[e] = item.WorkerId;
                silos[e] = item.Silo;
                actors[e] = item.Actor;
                messages[e] = item.Message;
                eventErrorKinds[e] = item.ErrorKind;
                percents[e] = item.Percent;
                e++;
            }
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
        Add(parameters, "e_rows", NpgsqlDbType.Bigint, rows);
        Add(parameters, "e_seqs", NpgsqlDbType.Bigint, seqs);
        Add(parameters, "e_at", NpgsqlDbType.TimestampTz, at);
        Add(parameters, "e_kinds", NpgsqlDbType.Text, kinds);
        Add(parameters, "e_statuses", NpgsqlDbType.Text, eventStatuses);
        Add(parameters, "e_attempts", NpgsqlDbType.Integer, eventAttempts);
        Add(parameters, "e_workers", NpgsqlDbType.Text, workers);
        Add(parameters, "e_silos", NpgsqlDbType.Text, silos);
        Add(parameters, "e_actors", NpgsqlDbType.Text, actors);
        Add(parameters, "e_messages", NpgsqlDbType.Text, messages);
        Add(parameters, "e_error_kinds", NpgsqlDbType.Text, eventErrorKinds);
        Add(parameters, "e_percents", NpgsqlDbType.Double, percents);

        static void Add<T>(NpgsqlParameterCollection parameters, string name, NpgsqlDbType type, T[] values) =>
            parameters.Add(new NpgsqlParameter<T[]>(name, NpgsqlDbType.Array | type) { TypedValue = values });
    }
}
