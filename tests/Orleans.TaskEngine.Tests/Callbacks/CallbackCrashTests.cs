using System.Net;
using System.Text.Json;
using Orleans.TaskEngine.Client;
using Orleans.TaskEngine.Http;
using Orleans.TaskEngine.Tasks;
using Orleans.TaskEngine.Tests.Infrastructure;

namespace Orleans.TaskEngine.Tests.Callbacks;

/// <summary>
/// At-least-once across a crash: the default host on its SQLite file, killed while the receiver refuses, started again;
/// then <see cref="CallbackScenarios"/> on the restarted host, as on every store.
/// </summary>
public sealed class CallbackCrashTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);
    private readonly TemporaryFolder _folder = new("taskengine-callbacks-");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task A_callback_refused_until_the_host_is_killed_is_delivered_after_the_restart_with_the_same_delivery_id()
    {
        using var receiver = new CallbackReceiver { Refusing = true };
        var settings = CallbackCrashSettings.Environment();

        string id;
        var (first, baseUrl) = await EngineProcess.StartEmbeddedApiAsync(settings, workingDirectory: _folder.Path);
        await using (first)
        {
            using var http = new HttpClient { BaseAddress = baseUrl };
            var api = new TaskEngineHttpClient(http);
            id = (await api.SubmitAsync(new SubmitTaskRequest { Type = "echo", Payload = JsonSerializer.SerializeToElement(new { n = 1 }), CallbackUrl = receiver.Url })).Id;
            Assert.Equal(TaskState.Completed, (await api.WaitAsync(id, Patience))!.Status);
            await Eventually.Until(() => Task.FromResult(receiver.For(id)), r => r.Count >= 2, Patience, $"two refused callbacks of {id}");
            first.Kill();
            await first.WaitForExitAsync(TimeSpan.FromSeconds(30));
        }

        var refused = receiver.For(id);
        Assert.All(refused, r => Assert.Equal(HttpStatusCode.InternalServerError, r.Answer));
        receiver.Refusing = false;

        var (second, again) = await EngineProcess.StartEmbeddedApiAsync(settings, workingDirectory: _folder.Path);
        await using (second)
        {
            var all = await Eventually.Until(() => Task.FromResult(receiver.For(id)), r => r.Any(x => x.Answer == HttpStatusCode.NoContent), Patience, $"the callback of {id} after the restart");
            var delivered = all.First(r => r.Answer == HttpStatusCode.NoContent);
            Assert.Equal(refused[0].DeliveryId, delivered.DeliveryId);
            Assert.True(CallbackReceiver.IsSigned(delivered, CallbackCrashSettings.Secret));
            Assert.Equal(TaskState.Completed, delivered.Task.Status);

            using var http = new HttpClient { BaseAddress = again };
            await CallbackScenarios.OnceSignedAndAfterTwoRefusalsAsync(new TaskEngineHttpClient(http), receiver, CallbackCrashSettings.Secret);
        }
    }
}
