using Microsoft.Extensions.Options;
using Orleans.Runtime;
using Orleans.TaskEngine.Hosting;

namespace Orleans.TaskEngine.Storage.Database;

/// <summary>
/// With <c>TaskEngine:Database:InitializeOnStart=true</c>, applies the schema first thing in the silo's start-up:
/// before membership and storage read their queries from <c>orleansquery</c>.
/// </summary>
public sealed class SchemaInitializerStartup(SchemaInitializer initializer, IOptions<TaskEngineDatabaseOptions> options) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(SchemaInitializerStartup), ServiceLifecycleStage.First, ApplyAsync);

    private async Task ApplyAsync(CancellationToken cancellationToken)
    {
        var database = options.Value;
        if (database.InitializeOnStart)
        {
            await initializer.ApplyAsync(database.EffectiveConnectionString(), database.ScriptsPath ?? SchemaScripts.DefaultDirectory, cancellationToken);
        }
    }
}
