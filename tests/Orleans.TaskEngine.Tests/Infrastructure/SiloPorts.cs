namespace Orleans.TaskEngine.Tests.Infrastructure;

/// <summary>The silo-to-silo, gateway and HTTP (dashboard, health) ports of one silo.</summary>
public sealed record SiloPorts(int Silo, int Gateway, int Http)
{
    public static SiloPorts Free() => new(EngineProcess.FreePort(), EngineProcess.FreePort(), EngineProcess.FreePort());
}
