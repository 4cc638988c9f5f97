using System.Security.Cryptography;
using System.Text.Json;
using Orleans.TaskEngine.Api.Endpoints;
using Orleans.TaskEngine.Batches;
using Orleans.TaskEngine.Client;
using Orleans.TaskEngine.Grains;
using Orleans.TaskEngine.Http;
using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Api.Batches;

/// <summary>
/// The part of <c>POST /api/tasks/batch</c> a <c>callback</c> adds: the batch's id (fixed by an <c>Idempotency-Key</c>,
/// so a repeat finds the same batch), its grain's state stored before any member is submitted, sealed once all are,
/// and dropped when the request is refused, so a refused batch leaves none.
/// </summary>
public sealed class CallbackBatch
{
    public const string IdPrefix = "bat-";

    private readonly IBatchGrain _grain;
    private readonly TaskSubmission _callback;
    private bool _created;

    private CallbackBatch(string id, TaskSubmission callback, IGrainFactory grains)
    {
        Id = id;
        _callback = callback;
        _grain = grains.GetGrainByKey<IBatchGrain>(id);
    }

    public string Id { get; }

    /// <summary>The batch existed already with the same request: this one creates nothing new.</summary>
    public bool Replay { get; private set; }

    /// <summary>The batch's id for the caller's <paramref name="idempotencyKey"/>, or a new one.</summary>
    public static string IdFor(string caller, string? idempotencyKey) =>
        IdPrefix + (idempotencyKey is null ? TaskEngineClusterClient.NewTaskId() : IdempotencyKeys.TaskIdFor(caller, idempotencyKey)["idem-".Length..]);

    /// <summary>Maps and checks the callback; the problem to answer when it is not valid (nothing is created then).</summary>
    public static async Task<(CallbackBatch? Batch, IResult? Problem)> PrepareAsync(
        SubmitTaskRequest request, string? idempotencyKey, string caller, TaskTypeCatalog types, IGrainFactory grains, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(types);
        if (idempotencyKey is not null && IdempotencyKeys.Describe(idempotencyKey, IdempotencyKeys.Header) is { } badKey)
        {
            return (null, ApiProblems.BadRequest($"{badKey} Nothing was created."));
        }

        if (request.IdempotencyKey is not null)
        {
            return (null, Refused("idempotencyKey is not taken: the callback's id comes from the batch's (send an Idempotency-Key header on the batch)."));
        }

        var mapped = SubmitRequestMapper.Map(request, null, caller);
        var error = mapped.Error ?? await types.RefuseUnknownAsync(mapped.Submission!.Type, cancellationToken);
        if (error is not null)
        {
            return (null, mapped.Status == StatusCodes.Status413PayloadTooLarge ? ApiProblems.TooLarge($"callback: {error}") : Refused(error));
        }

        return (new CallbackBatch(IdFor(caller, idempotencyKey), mapped.Submission!, grains), null);
    }

    /// <summary>
    /// Gives every member without an id one, marks each as this batch's, then stores the batch. On a replay the ids
    /// are the first request's. The problem to answer when the id was first used for another request.
    /// </summary>
    public async Task<IResult?> CreateAsync(List<TaskSubmission> submissions, string?[] taskIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(submissions);
        ArgumentNullException.ThrowIfNull(taskIds);
        var fingerprint = Fingerprint(submissions, _callback);
        for (var index = 0; index < submissions.Count; index++)
        {
            taskIds[index] ??= TaskEngineClusterClient.NewTaskId();
            submissions[index] = submissions[index] with { BatchId = Id };
        }

        var definition = new BatchDefinition { Members = taskIds.Select(id => id!).ToList(), Callback = _callback, Fingerprint = fingerprint };
        var result = await _grain.Create(definition).WaitAsync(cancellationToken);
        switch (result.Outcome)
        {
            case BatchCreateOutcome.Created:
                _created = true;
                return null;
            case BatchCreateOutcome.Exists when result.Members.Count == taskIds.Length:
                Replay = true;
                for (var index = 0; index < taskIds.Length; index++)
                {
                    taskIds[index] = result.Members[index];
                }

                return null;
            default:
                return Results.Problem(
                    statusCode: StatusCodes.Status409Conflict,
                    title: "Idempotency key reused with a different request",
                    detail: $"{IdempotencyKeys.Header} names batch {Id}, which was made by a request with a different body. Nothing was created.",
                    extensions: new Dictionary<string, object?> { ["batchId"] = Id });
        }
    }

    /// <summary>Every member is submitted: the batch may finish.</summary>
    public Task SealAsync(CancellationToken cancellationToken) => _grain.Seal().WaitAsync(cancellationToken);

    /// <summary>The request is refused: the batch it stored goes (one it only replayed belongs to the first request).</summary>
    public Task AbandonAsync() => _created ? _grain.Abandon() : Task.CompletedTask;

    private static IResult Refused(string error) =>
        ApiProblems.BadRequest($"callback: {error} Nothing was created.", new Dictionary<string, object?> { ["reason"] = error });

    /// <summary>A digest of what the request asks for, so a repeat under the same key with another body is a conflict.</summary>
    private static string Fingerprint(List<TaskSubmission> submissions, TaskSubmission callback) =>
        Convert.ToHexStringLower(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(new { submissions, callback })));
}
