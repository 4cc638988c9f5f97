using System.Globalization;
using System.Text;
using Microsoft.OpenApi;
using Orleans.TaskEngine.Api.Security;
using Orleans.TaskEngine.History;

namespace Orleans.TaskEngine.Api.Endpoints;

/// <summary>
/// <c>GET /api/stats?window=5m|15m|1h|6h|24h|7d&amp;by=type|queue</c>: the execution report, as JSON, or as CSV (one row per
/// group, its fields flattened) when the caller accepts <c>text/csv</c>; and <c>GET /api/stats/throughput?window=…</c>, the
/// finishes per minute that the task dashboard polls. Readers need the submitter (or admin) role.
/// </summary>
public static class StatsEndpoints
{
    public const string CsvContentType = "text/csv";

    public static RouteGroupBuilder MapStatsEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/stats", StatsAsync)
            .WithName("getStats").WithTags("History").RequireAuthorization(ApiPolicies.Submitter)
            .WithSummary("Execution report over a window (5m, 15m, 1h, 6h, 24h, 7d; default 1h) by type or queue (default type): counts by outcome, finishes per minute, wait and run time p50/p95/p99, top errors. Accept: text/csv for CSV.")
            .Produces<TaskStats>()
            // A second Produces for 200 would replace the JSON response: the CSV goes beside it.
            .AddOpenApiOperationTransformer((operation, _, _) =>
            {
                operation.Responses?[StatusCodes.Status200OK.ToString(CultureInfo.InvariantCulture)].Content?
                    .TryAdd(CsvContentType, new OpenApiMediaType { Schema = new OpenApiSchema { Type = JsonSchemaType.String } });
                return Task.CompletedTask;
            })
            .ProducesProblem(StatusCodes.Status400BadRequest);
        api.MapGet("/stats/throughput", ThroughputAsync)
            .WithName("getThroughput").WithTags("History").RequireAuthorization(ApiPolicies.Submitter)
            .WithSummary("Tasks finished per wall-clock minute over a window (5m, 15m, 1h, 6h, 24h, 7d; default 15m), the last minute so far, with the counts by outcome: counted by the store, cheap enough to poll (the task dashboard does, every 2 s).")
            .Produces<TaskThroughput>()
            .ProducesProblem(StatusCodes.Status400BadRequest);
        return api;
    }

    private static async Task<IResult> ThroughputAsync(string? window, IGrainFactory grains, CancellationToken cancellationToken)
    {
        window ??= "15m";
        if (!TaskStatsWindow.TryParse(window, out _, out _))
        {
            return ApiProblems.BadRequest($"window must be one of {string.Join(", ", TaskStatsWindow.Known.Keys)}.");
        }

        return Results.Ok(await grains.GetGrain<ITaskHistoryGrain>(0).Throughput(window).WaitAsync(cancellationToken));
    }

    private static async Task<IResult> StatsAsync(HttpContext http, string? window, string? by, IGrainFactory grains, CancellationToken cancellationToken)
    {
        window ??= "1h";
        by ??= "type";
        if (!TaskStatsWindow.TryParse(window, out _, out _))
        {
            return ApiProblems.BadRequest($"window must be one of {string.Join(", ", TaskStatsWindow.Known.Keys)}.");
        }

        if (by is not ("type" or "queue"))
        {
            return ApiProblems.BadRequest("by must be type or queue.");
        }

        var stats = await grains.GetGrain<ITaskHistoryGrain>(0).Stats(window, by).WaitAsync(cancellationToken);
        var accept = http.Request.Headers.Accept.ToString();
        return accept.Contains(CsvContentType, StringComparison.OrdinalIgnoreCase)
            ? Results.Text(ToCsv(stats), CsvContentType, Encoding.UTF8)
            : Results.Ok(stats);
    }

    /// <summary>One header row, then one row per group; top errors as "count × message" joined by " | ".</summary>
    public static string ToCsv(TaskStats stats)
    {
        ArgumentNullException.ThrowIfNull(stats);
        var csv = new StringBuilder();
        csv.AppendLine("key,completed,failed,cancelled,timedOut,retried,perMinute,waitMsP50,waitMsP95,waitMsP99,runMsP50,runMsP95,runMsP99,topErrors");
        foreach (var g in stats.Groups)
        {
            string N(double? value) => value?.ToString("0.#", CultureInfo.InvariantCulture) ?? string.Empty;
            var fields = new[]
            {
                g.Key,
                g.Counts.Completed.ToString(CultureInfo.InvariantCulture),
                g.Counts.Failed.ToString(CultureInfo.InvariantCulture),
                g.Counts.Cancelled.ToString(CultureInfo.InvariantCulture),
                g.Counts.TimedOut.ToString(CultureInfo.InvariantCulture),
                g.Counts.Retried.ToString(CultureInfo.InvariantCulture),
                string.Join(' ', g.PerMinute.Select(n => n.ToString(CultureInfo.InvariantCulture))),
                N(g.WaitMs.P50), N(g.WaitMs.P95), N(g.WaitMs.P99),
                N(g.RunMs.P50), N(g.RunMs.P95), N(g.RunMs.P99),
                string.Join(" | ", g.TopErrors.Select(e => $"{e.Count.ToString(CultureInfo.InvariantCulture)} × {e.Message}")),
            };
            csv.AppendLine(string.Join(',', fields.Select(Quote)));
        }

        return csv.ToString();
    }

    // RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled. A leading =, +, - or @ is
    // prefixed with ' so that a spreadsheet does not run an error message as a formula.
    private static string Quote(string field)
    {
        if (field.Length > 0 && field[0] is '=' or '+' or '-' or '@')
        {
            field = "'" + field;
        }

        return field.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : field;
    }
}
