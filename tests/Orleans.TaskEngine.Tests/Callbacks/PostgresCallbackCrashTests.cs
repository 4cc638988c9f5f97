using System.Net;
using Orleans.TaskEngine.Http;
using Orleans.TaskEngine.Tasks;
using Orleans.TaskEngine.Tests.Infrastructure;

namespace Orleans.TaskEngine.Tests.Callbacks;

/// <summary>
/// At-least-once across a crash on PostgreSQL: one of two silo processes killed while the receiver refuses. The
/// survivor declares it dead, and the callback is delivered with the same delivery id, by the survivor's reactivated
/// task if the killed silo held it (the crash path; the SQLite crash test kills the only process, so it always takes it).
/// A lone silo killed and a new one started is not used: the newcomer waits on the dead silo's stale membership row.
/// Then <see cref="CallbackScenarios"/> on the survivor, as on every store.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresCallbackCrashTests(PostgresFixture postgres)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(150);

    [Fact]
    public async Task A_callback_refused_until_a_silo_is_killed_is_delivered_after_it_with_the_same_delivery_id()
    {
        using var receiver = new CallbackReceiver { Refusing = true };
        var settings = CallbackCrashSettings.Environment();
        await using var cluster = await ProcessCluster.StartAsync(postgres, $"callback_{Guid.NewGuid():N}"[..20], silos: 2, settings: settings);
        await cluster.ExplainFailuresAsync(async () =>
        {
            var id = (await cluster.Api.SubmitAsync(new SubmitTaskRequest { Type = "echo", CallbackUrl = receiver.Url })).Id;
            Assert.Equal(TaskState.Completed, (await cluster.Api.WaitAsync(id, Patience))!.Status);
            await Eventually.Until(() => Task.FromResult(receiver.For(id)), r => r.Count >= 2, Patience, $"two refused callbacks of {id}");
            var victim = cluster.Silos[0];
            victim.Process.Kill();
            await victim.Process.WaitForExitAsync(TimeSpan.FromSeconds(30));
            var refused = receiver.For(id);
            receiver.Refusing = false;

            var all = await Eventually.Until(() => Task.FromResult(receiver.For(id)), r => r.Any(x => x.Answer == HttpStatusCode.NoContent), Patience, $"the callback of {id} after the kill");
            var delivered = all.First(r => r.Answer == HttpStatusCode.NoContent);
            Assert.All(refused, r => Assert.Equal(HttpStatusCode.InternalServerError, r.Answer));
            Assert.Equal(refused[0].DeliveryId, delivered.DeliveryId);
            Assert.True(CallbackReceiver.IsSigned(delivered, CallbackCrashSettings.Secret));

            // The survivor may have delivered before the victim was declared dead; until then new calls can fail (503).
            await cluster.WaitUntilDeclaredDeadAsync(victim, Patience);
            await CallbackScenarios.OnceSignedAndAfterTwoRefusalsAsync(cluster.Api, receiver, CallbackCrashSettings.Secret);
        });
    }
}
