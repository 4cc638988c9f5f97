using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Storage;

/// <summary>
/// A task incarnation's events as the SQL stores keep them: one JSON object per line, in sequence order, in one text
/// column of the incarnation's summary row. A state write appends its new events' lines (text concatenation, which the
/// database does without parsing anything), so the audit log costs one row per task instead of a row per event; it
/// stays readable in SQL (<c>string_to_table(events, E'\n')::jsonb</c>). Names are the API's, nulls are left out.
/// </summary>
internal static class AuditEventLines
{
    private static readonly JsonWriterOptions WriterOptions = new() { SkipValidation = true };

    /// <summary>The lines of <paramref name="events"/>, each ending with a newline; empty for none.</summary>
    public static string Write(IEnumerable<TaskEvent> events)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            foreach (var e in events)
            {
                writer.WriteStartObject();
                writer.WriteNumber("seq", e.Sequence);
                writer.WriteString("at", e.At.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
                writer.WriteString("kind", AuditText.Kind(e.Kind));
                writer.WriteString("status", AuditText.Status(e.Status));
                writer.WriteNumber("attempt", e.Attempt);
                WriteOptional(writer, "assignedTo", e.WorkerId);
                WriteOptional(writer, "silo", e.Silo);
                WriteOptional(writer, "actor", e.Actor);
                WriteOptional(writer, "message", e.Message);
                WriteOptional(writer, "errorKind", e.ErrorKind);
                if (e.Percent is { } percent)
                {
                    writer.WriteNumber("percent", percent);
                }

                writer.WriteEndObject();
                writer.Flush();
                buffer.Write("\n"u8);
                writer.Reset();
            }
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>The events of <paramref name="lines"/> as <see cref="Write"/> made them, in their order.</summary>
    /// <exception cref="FormatException">A line is not such an event.</exception>
    public static List<TaskEvent> Read(string? lines)
    {
        var events = new List<TaskEvent>();
        if (string.IsNullOrEmpty(lines))
        {
            return events;
        }

        foreach (var line in lines.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            try
            {
                using var document = JsonDocument.Parse(line);
                var e = document.RootElement;
                events.Add(new TaskEvent
                {
                    Sequence = e.GetProperty("seq").GetInt64(),
                    At = DateTimeOffset.Parse(e.GetProperty("at").GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
                    Kind = AuditText.ParseKind(e.GetProperty("kind").GetString()!),
                    Status = AuditText.ParseStatus(e.GetProperty("status").GetString()!),
                    Attempt = e.GetProperty("attempt").GetInt32(),
                    WorkerId = Optional(e, "assignedTo"),
                    Silo = Optional(e, "silo"),
                    Actor = Optional(e, "actor"),
                    Message = Optional(e, "message"),
                    ErrorKind = Optional(e, "errorKind"),
                    Percent = e.TryGetProperty("percent", out var percent) ? percent.GetDouble() : null,
                });
            }
            catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
            {
                throw new FormatException($"A stored audit event is not valid: {ex.Message}", ex);
            }
        }

        return events;
    }

    private static void WriteOptional(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }

    private static string? Optional(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) ? value.GetString() : null;
}
