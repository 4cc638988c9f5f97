using System.Net;
using System.Text.Json;
using Orleans.TaskEngine.Client;
using Orleans.TaskEngine.Http;
using Orleans.TaskEngine.Tests.Infrastructure;

namespace Orleans.TaskEngine.Tests.Callbacks;

/// <summary>
/// What every store must show of completion callbacks, in one pass on any host whose secret is
/// <paramref name="secret"/> and which allows the receiver's host: a callback received once per task with a valid
/// signature, and again after the receiver answered 500 twice (the same delivery id each time).
/// <see cref="CallbackApiTests"/> checks each part in memory; the SQLite and PostgreSQL crash tests run this.
/// </summary>
public static class CallbackScenarios
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    public static async Task OnceSignedAndAfterTwoRefusalsAsync(TaskEngineHttpClient api, CallbackReceiver receiver, string secret)
    {
        receiver.Refusing = false;
        var once = await DeliveredAsync(api, receiver);

        var marker = $"refuse-twice-{Guid.NewGuid():N}";
        receiver.FailFirstContaining(marker, 2);
        var flaky = await DeliveredAsync(api, receiver, marker);
        var tries = receiver.For(flaky);
        Assert.Equal([HttpStatusCode.InternalServerError, HttpStatusCode.InternalServerError, HttpStatusCode.NoContent], tries.Select(r => r.Answer));
        Assert.Single(tries.Select(r => r.DeliveryId).Distinct());

        // A later task's callback arriving after them shows no second POST of either.
        await DeliveredAsync(api, receiver);
        var first = Assert.Single(receiver.For(once));
        Assert.Equal(HttpStatusCode.NoContent, first.Answer);
        Assert.Equal(3, receiver.For(flaky).Count);
        Assert.All(receiver.For(once).Concat(receiver.For(flaky)), r => Assert.True(CallbackReceiver.IsSigned(r, secret), $"signature {r.Signature} of {r.Timestamp}.{r.Body}"));
    }

    private static async Task<string> DeliveredAsync(TaskEngineHttpClient api, CallbackReceiver receiver, string marker = "")
    {
        var payload = JsonSerializer.SerializeToElement(new { marker });
        var id = (await api.SubmitAsync(new SubmitTaskRequest { Type = "echo", Payload = payload, CallbackUrl = receiver.Url })).Id;
        await Eventually.Until(() => Task.FromResult(receiver.For(id)), r => r.Any(x => x.Answer == HttpStatusCode.NoContent), Patience, $"the callback of {id}");
        return id;
    }
}
