using Orleans.Runtime;

namespace Orleans.TaskEngine.Workers;

/// <summary>Worker grain keys, <c>{silo}/{pool}/{index}</c>: the key says which silo the worker belongs to.</summary>
public static class WorkerKey
{
    public static string Create(SiloAddress silo, string pool, int index) =>
        $"{silo.ToParsableString()}/{pool}/{index}";

    public static bool TryParseSilo(string workerId, out SiloAddress silo)
    {
        silo = null!;
        var slash = workerId.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0)
        {
            return false;
        }

        try
        {
            silo = SiloAddress.FromParsableString(workerId[..slash]);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
