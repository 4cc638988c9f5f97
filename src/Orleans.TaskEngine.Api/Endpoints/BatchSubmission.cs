using Microsoft.Extensions.Options;
using Orleans.TaskEngine.Api.Batches;
using Orleans.TaskEngine.Api.Hosting;
using Orleans.TaskEngine.Api.Security;
using Orleans.TaskEngine.Client;
using Orleans.TaskEngine.Http;
using Orleans.TaskEngine.Tasks;
using Orleans.TaskEngine.Grains;

namespace Orleans.TaskEngine.Api.Endpoints;

/// <summary>
/// <c>POST /api/tasks/batch</c>: up to 1,000 tasks validated as a whole, all created or none (what was created is rolled
/// back on a refusal part-way), with an optional callback task that runs once after them all.
/// </summary>
internal static class BatchSubmission
{
    public static async Task<IResult> SubmitAsync(
        HttpContext http, TaskEngineClusterClient engine, TaskTypeCatalog types, IGrainFactory grains, CancellationToken cancellationToken)
    {
        var (batch, problem) = await JsonBody.ReadAsync<BatchSubmitRequest>(http.Request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var batchKeys = http.Request.Headers[IdempotencyKeys.Header];
        if (batchKeys.Count > 0 && batch!.Callback is null)
        {
            // Ignoring it would let a caller believe a retried batch is safe when it would create every task again.
            return ApiProblems.BadRequest(
                $"A batch takes an idempotencyKey on each task (tasks[i].idempotencyKey), not the {IdempotencyKeys.Header} header (only a batch with a callback takes one). Nothing was created.");
        }

        if (batchKeys.Count > 1)
        {
            return ApiProblems.BadRequest($"Send one {IdempotencyKeys.Header} header; this request has {batchKeys.Count}.");
        }

        var items = batch!.Tasks ?? [];
        if (items.Count is 0 or > BatchSubmitRequest.MaxTasks)
        {
            return ApiProblems.BadRequest($"tasks must hold 1–{BatchSubmitRequest.MaxTasks} tasks; it holds {items.Count}.");
        }

        var submissions = new List<TaskSubmission>(items.Count);
        var taskIds = new string?[items.Count];
        var firstWithKey = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var index = 0; index < items.Count; index++)
        {
            var mapped = SubmitRequestMapper.Map(items[index], null, TaskEndpoints.Caller(http));
            var error = mapped.Error ?? await types.RefuseUnknownAsync(mapped.Submission!.Type, cancellationToken);
            if (error is not null)
            {
                var extensions = new Dictionary<string, object?> { ["index"] = index, ["reason"] = error };
                return mapped.Status == StatusCodes.Status413PayloadTooLarge
                    ? Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "The payload is too large", detail: $"tasks[{index}]: {error}", extensions: extensions)
                    : ApiProblems.BadRequest($"tasks[{index}]: {error} Nothing was created.", extensions);
            }

            var submission = mapped.Submission!;
            if (submission.IdempotencyKey is { } key)
            {
                if (!firstWithKey.TryAdd(key, index) && !SubmitRequestMapper.SameRequest(submissions[firstWithKey[key]], submission))
                {
                    var reason = $"idempotencyKey '{key}' is also on tasks[{firstWithKey[key]}], with a different body.";
                    return ApiProblems.BadRequest($"tasks[{index}]: {reason} Nothing was created.", new Dictionary<string, object?> { ["index"] = index, ["reason"] = reason });
                }

                taskIds[index] = IdempotencyKeys.TaskIdFor(TaskEndpoints.Caller(http), key);
            }

            submissions.Add(submission);
        }

        CallbackBatch? withCallback = null;
        if (batch.Callback is { } callback)
        {
            (withCallback, problem) = await CallbackBatch.PrepareAsync(callback, batchKeys.FirstOrDefault(), TaskEndpoints.Caller(http), types, grains, cancellationToken);
            if (problem is not null)
            {
                return problem;
            }
        }

        // The batch's state before its first member, so no member can finish unseen; a replay takes the first ids
        // (and its members exist: they take no room). A refusal below drops the state again.
        if (withCallback is not null && await withCallback.CreateAsync(submissions, taskIds, cancellationToken) is { } refused)
        {
            return refused;
        }

        // The tasks the keys name already, read before anything is written: a key an earlier request used with a
        // different body refuses the batch while nothing has been created, and a replay takes no room in its queue.
        var existing = new HashSet<int>();
        var reads = firstWithKey.Values.Select(async index => (index, task: await engine.GetAsync(taskIds[index]!, cancellationToken))).ToList();
        foreach (var (index, task) in await Task.WhenAll(reads))
        {
            if (task is null)
            {
                continue;
            }

            if (!SubmitRequestMapper.SameTask(task, submissions[index]))
            {
                await RollBackAsync(engine, [], withCallback, CancellationToken.None);
                return KeyConflict(index, submissions[index].IdempotencyKey!, task.Id, "Nothing was created.", []);
            }

            existing.Add(index);
        }

        // Room in every queue first, so a batch that cannot fit is refused before anything is created. Only what this
        // batch creates counts: an item that repeats a key (of an earlier request or an earlier item) adds nothing.
        var creates = Enumerable.Range(0, submissions.Count)
            .Where(i => withCallback?.Replay != true && (submissions[i].IdempotencyKey is not { } key || (firstWithKey[key] == i && !existing.Contains(i))))
            .Select(i => submissions[i]);
        foreach (var queue in creates.GroupBy(s => s.Queue, StringComparer.Ordinal))
        {
            var status = await engine.GetQueueAsync(queue.Key, cancellationToken);
            if (status.Pending + queue.Count() > status.Capacity)
            {
                await RollBackAsync(engine, [], withCallback, CancellationToken.None);
                return ApiProblems.TooMany(http, "The queue is full",
                    $"Queue '{queue.Key}' holds {status.Pending} of {status.Capacity} pending tasks; {queue.Count()} more do not fit. Nothing was created.");
            }
        }

        // One after another, so tasks of one priority keep the batch's order in their queue.
        var accepted = new TaskAccepted[submissions.Count];
        var created = new List<string>();
        for (var index = 0; index < submissions.Count; index++)
        {
            var submission = submissions[index];
            if (submission.IdempotencyKey is { } key && firstWithKey[key] != index)
            {
                accepted[index] = accepted[firstWithKey[key]] with { Replayed = true };
                continue;
            }

            SubmitResult result;
            try
            {
                result = await engine.SubmitAsync(submission, taskIds[index], cancellationToken);
            }
            catch (Exception) when (created.Count > 0 || withCallback is not null)
            {
                // The caller gets an error (the cluster stopped answering, the client went away) and cannot know what
                // was made: leave nothing of the batch behind, as for a refusal.
                await RollBackAsync(engine, created, withCallback, CancellationToken.None);
                throw;
            }

            switch (result.Outcome)
            {
                case SubmitOutcome.Accepted:
                    created.Add(result.TaskId);
                    accepted[index] = new TaskAccepted(result.TaskId, result.Status);
                    continue;
                case SubmitOutcome.AlreadyExists when (submission.IdempotencyKey is not null || withCallback?.Replay == true) && SubmitRequestMapper.SameTask(result.Task!, submission):
                    accepted[index] = new TaskAccepted(result.TaskId, result.Status) { Replayed = true };
                    continue;
                case SubmitOutcome.AlreadyExists when submission.IdempotencyKey is not null:
                    // Another request made it since the check above, with a different body.
                    await RollBackAsync(engine, created, withCallback, CancellationToken.None);
                    return KeyConflict(index, submission.IdempotencyKey, result.TaskId, RolledBack(created), created);
            }

            // Another caller filled the queue meanwhile (or the grain refused what the checks above let through): take
            // back what this batch created, and only that; a replayed task belongs to the request that made it.
            await RollBackAsync(engine, created, withCallback, CancellationToken.None);
            var detail = $"tasks[{index}]: {result.Reason ?? result.Outcome.ToString()} {RolledBack(created)}";
            var extensions = new Dictionary<string, object?> { ["index"] = index, ["reason"] = result.Reason, ["cancelled"] = created };
            return result.Outcome == SubmitOutcome.QueueFull
                ? ApiProblems.TooMany(http, "The queue is full", detail, extensions: extensions)
                : ApiProblems.BadRequest(detail, extensions);
        }

        if (withCallback is not null)
        {
            await withCallback.SealAsync(cancellationToken);
        }

        return Results.Json(new BatchSubmitResponse(accepted) { BatchId = withCallback?.Id }, TaskEngineJson.Options, statusCode: StatusCodes.Status202Accepted);
    }

    /// <summary>Cancels the tasks this batch created; called with no cancellation, so a caller that hangs up cannot stop it half-way.</summary>
    private static async Task RollBackAsync(TaskEngineClusterClient engine, List<string> created, CallbackBatch? withCallback, CancellationToken cancellationToken)
    {
        if (withCallback is not null)
        {
            await withCallback.AbandonAsync();
        }

        foreach (var id in created)
        {
            await engine.CancelAsync(id, "batch refused", cancellationToken);
        }
    }

    private static string RolledBack(List<string> created) =>
        created.Count == 0 ? "Nothing was created." : $"The {created.Count} task(s) this batch had created were cancelled (listed in 'cancelled').";

    private static IResult KeyConflict(int index, string key, string taskId, string outcome, List<string> cancelled) =>
        Results.Problem(
            statusCode: StatusCodes.Status409Conflict,
            title: "Idempotency key reused with a different request",
            detail: $"tasks[{index}]: idempotencyKey '{key}' was first used for task {taskId} with a different body. {outcome}",
            extensions: new Dictionary<string, object?> { ["index"] = index, ["taskId"] = taskId, ["cancelled"] = cancelled });
}
