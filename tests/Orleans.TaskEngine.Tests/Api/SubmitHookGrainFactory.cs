using System.Reflection;
using System.Runtime.ExceptionServices;
using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Tests.Api;

/// <summary>
/// The cluster's grain factory, except that every task grain it hands out runs a hook before each submit: a test can
/// make something happen between an API's checks and its writes (another caller filling the queue) at exactly that point.
/// </summary>
public class SubmitHookGrainFactory : DispatchProxy
{
    private IGrainFactory _inner = null!;
    private Func<TaskSubmission, Task> _beforeSubmit = null!;

    public static IGrainFactory Create(IGrainFactory inner, Func<TaskSubmission, Task> beforeSubmit)
    {
        var proxy = DispatchProxy.Create<IGrainFactory, SubmitHookGrainFactory>();
        var self = (SubmitHookGrainFactory)(object)proxy;
        self._inner = inner;
        self._beforeSubmit = beforeSubmit;
        return proxy;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        var result = Forward(targetMethod!, _inner, args);
        return result is ITaskGrain task ? HookedTaskGrain.Create(task, _beforeSubmit) : result;
    }

    internal static object? Forward(MethodInfo method, object target, object?[]? args)
    {
        try
        {
            return method.Invoke(target, args);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw;
        }
    }
}
