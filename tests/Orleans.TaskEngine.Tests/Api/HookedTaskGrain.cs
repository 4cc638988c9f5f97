using System.Reflection;
using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Tests.Api;

/// <summary>A task grain reference that runs the hook before <c>Submit</c> and forwards everything else.</summary>
public class HookedTaskGrain : DispatchProxy
{
    private ITaskGrain _inner = null!;
    private Func<TaskSubmission, Task> _beforeSubmit = null!;

    public static ITaskGrain Create(ITaskGrain inner, Func<TaskSubmission, Task> beforeSubmit)
    {
        var proxy = DispatchProxy.Create<ITaskGrain, HookedTaskGrain>();
        var self = (HookedTaskGrain)(object)proxy;
        self._inner = inner;
        self._beforeSubmit = beforeSubmit;
        return proxy;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
        targetMethod!.Name == nameof(ITaskGrain.Submit) && args is [TaskSubmission submission, ..]
            ? SubmitAsync(targetMethod, args, submission)
            : SubmitHookGrainFactory.Forward(targetMethod, _inner, args);

    private async Task<SubmitResult> SubmitAsync(MethodInfo method, object?[] args, TaskSubmission submission)
    {
        await _beforeSubmit(submission);
        return await (Task<SubmitResult>)SubmitHookGrainFactory.Forward(method, _inner, args)!;
    }
}
