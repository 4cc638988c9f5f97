using System.Reflection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Orleans.Runtime;
using Orleans.TaskEngine.Api.Health;

namespace Orleans.TaskEngine.Tests.Api;

[Collection(ApiCollection.Name)]
public sealed class ClusterHealthCheckTests(ApiCluster fixture)
{
    [Fact]
    public async Task Ready_while_the_cluster_answers()
    {
        var result = await new ClusterHealthCheck(fixture.Cluster.Client).CheckHealthAsync(new HealthCheckContext());
        Assert.Equal(HealthStatus.Healthy, result.Status);
    }

    [Fact]
    public async Task Not_ready_when_the_cluster_does_not_answer()
    {
        var result = await new ClusterHealthCheck(UnreachableCluster.Create()).CheckHealthAsync(new HealthCheckContext());

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.IsType<SiloUnavailableException>(result.Exception);
    }

    /// <summary>A grain factory whose every grain call fails as calls to a lost cluster do.</summary>
    public class UnreachableCluster : DispatchProxy
    {
        public static IGrainFactory Create() => DispatchProxy.Create<IGrainFactory, UnreachableCluster>();

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            var returns = targetMethod!.ReturnType;
            if (returns.IsInterface && typeof(IAddressable).IsAssignableFrom(returns))
            {
                // GetGrain<T>: a grain whose calls fail.
                return typeof(DispatchProxy).GetMethod(nameof(DispatchProxy.Create), 2, Type.EmptyTypes)!
                    .MakeGenericMethod(returns, typeof(UnreachableCluster)).Invoke(null, null);
            }

            if (returns == typeof(Task) || (returns.IsGenericType && returns.GetGenericTypeDefinition() == typeof(Task<>)))
            {
                var failed = typeof(Task).GetMethod(nameof(Task.FromException), 1, [typeof(Exception)])!;
                var exception = new SiloUnavailableException("no silo answers");
                return returns == typeof(Task)
                    ? Task.FromException(exception)
                    : failed.MakeGenericMethod(returns.GetGenericArguments()[0]).Invoke(null, [exception]);
            }

            throw new NotSupportedException(targetMethod.Name);
        }
    }
}
