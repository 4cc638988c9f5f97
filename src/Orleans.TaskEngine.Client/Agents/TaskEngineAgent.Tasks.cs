using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.TaskEngine.Handlers;
using Orleans.TaskEngine.Http;

namespace Orleans.TaskEngine.Client.Agents;

/// <summary>The agent's work: long-poll for tasks, run each through its handler, report its outcome, drain on stop.</summary>
public sealed partial class TaskEngineAgent
{
    private async Task PollLoopAsync()
    {
        for (var failures = 0; !_stopRequested.IsCancellationRequested;)
        {
            try
            {
                // Poll only with a free slot, and ask for every free slot at once.
                await _slots.WaitAsync(_stopRequested.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var reserved = 1;
            while (reserved < _options.Concurrency && _slots.Wait(0))
            {
                reserved++;
            }

            var session = _session!;
            var path = FormattableString.Invariant($"api/agents/{Uri.EscapeDataString(session.Id)}/poll?wait={_options.PollWaitSeconds}");
            AgentPollAnswer? answer = null;
            TimeSpan? delay = null;
            var unknown = false;
            try
            {
                using var response = await SendAsync(HttpMethod.Post, path, new { }, _abortPoll.Token);
                if (response.StatusCode == HttpStatusCode.NotFound)
                {
                    unknown = true;
                }
                else if (response.IsSuccessStatusCode)
                {
                    answer = await response.Content.ReadFromJsonAsync<AgentPollAnswer>(Json, _abortPoll.Token);
                    failures = 0;
                }
                else
                {
                    var refused = await RefusalAsync(response, _abortPoll.Token);
                    delay = refused.RetryAfter ?? Backoff(failures++);
                    LogTransientFailure(_logger, "Polling", delay.Value, refused);
                }
            }
            catch (OperationCanceledException) when (_abortPoll.IsCancellationRequested || _stopRequested.IsCancellationRequested)
            {
                _slots.Release(reserved);
                return;
            }
            catch (Exception ex) when (IsTransient(ex, _abortPoll.Token))
            {
                delay = Backoff(failures++);
                LogTransientFailure(_logger, "Polling", delay.Value, ex);
            }

            if (unknown)
            {
                _slots.Release(reserved);
                LogUnknownAgent(_logger, session.Id);
                if (!await TryRegisterAgainAsync(session.Id))
                {
                    return;
                }

                continue;
            }

            var tasks = answer?.Tasks ?? [];
            Cancel(answer?.CancelledTaskIds);
            for (var i = 0; i < tasks.Count; i++)
            {
                Start(tasks[i], holdsSlot: i < reserved);
            }

            if (tasks.Count < reserved)
            {
                _slots.Release(reserved - tasks.Count);
            }

            if (delay is { } wait)
            {
                try
                {
                    await Task.Delay(wait, _stopRequested.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private void Start(LeasedTask leased, bool holdsSlot)
    {
        var task = new AgentTask(leased, this);
        var running = new RunningAgentTask(task, _hardStop.Token);
        // The same task again means our earlier lease of it went stale: that run's result would be refused.
        _running.AddOrUpdate(task.Id, running, (_, earlier) =>
        {
            earlier.Drop();
            return running;
        });
        try
        {
            OnTaskReceived?.Invoke(task);
        }
        catch (Exception ex)
        {
            LogReceivedHookFailed(_logger, task.Id, ex);
        }

        running.Completion = RunTaskAsync(running, holdsSlot);
    }

    private async Task RunTaskAsync(RunningAgentTask running, bool holdsSlot)
    {
        var task = running.Task;
        try
        {
            if (!holdsSlot)
            {
                // The server sent more than the slots we asked with (its count differs from ours): wait for one.
                await _slots.WaitAsync(running.Token);
                holdsSlot = true;
            }

            await Task.Yield(); // the handler never runs on the poll loop
            object report;
            try
            {
                var handler = _handlers.GetValueOrDefault(task.Type)
                    ?? throw new InvalidOperationException($"This agent has no handler for type '{task.Type}'.");
                report = new TaskCompletionReport(task.LeaseToken, await handler(task, running.Token));
            }
            catch (OperationCanceledException) when (running.Token.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                var error = new AgentTaskError(ex.Message, ex.GetType().Name, ex is PermanentTaskException ? true : null);
                report = new TaskFailureReport(task.LeaseToken, error);
            }

            if (!running.Dropped)
            {
                await ReportAsync(running, report);
            }
        }
        catch (OperationCanceledException) when (running.Token.IsCancellationRequested || _hardStop.IsCancellationRequested)
        {
            // Cancelled or stopped hard before it could run or report: the lease expires and the task runs elsewhere.
        }
        finally
        {
            if (holdsSlot)
            {
                _slots.Release();
            }

            _running.TryRemove(KeyValuePair.Create(task.Id, running));
            running.Dispose();
        }
    }

    /// <summary>Reports an outcome, retrying what may not have arrived: a repeat with the same lease token is safe.</summary>
    private async Task ReportAsync(RunningAgentTask running, object report)
    {
        var task = running.Task;
        var verb = report is TaskCompletionReport ? "complete" : "fail";
        var path = $"api/tasks/{Uri.EscapeDataString(task.Id)}/{verb}";
        Exception? last = null;
        for (var attempt = 0; attempt < ReportAttempts; attempt++)
        {
            TimeSpan delay;
            try
            {
                using var response = await SendAsync(HttpMethod.Post, path, report, _hardStop.Token);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }

                if (response.StatusCode == HttpStatusCode.Conflict)
                {
                    LogStaleLease(_logger, task.Id);
                    return;
                }

                var refused = await RefusalAsync(response, _hardStop.Token);
                if (response.StatusCode == HttpStatusCode.RequestEntityTooLarge && report is TaskCompletionReport)
                {
                    // A result the server cannot keep fails the task: running it again would make the same result.
                    var error = new AgentTaskError($"The result is larger than the server accepts: {refused.Detail}", "ResultTooLarge", true);
                    report = new TaskFailureReport(task.LeaseToken, error);
                    verb = "fail";
                    path = $"api/tasks/{Uri.EscapeDataString(task.Id)}/fail";
                    continue;
                }

                if (!IsTransient(response.StatusCode))
                {
                    LogReportRefused(_logger, task.Id, verb, (int)response.StatusCode, refused.Message);
                    return;
                }

                last = refused;
                delay = refused.RetryAfter ?? Backoff(attempt);
            }
            catch (Exception ex) when (IsTransient(ex, _hardStop.Token))
            {
                last = ex;
                delay = Backoff(attempt);
            }

            await Task.Delay(delay, _hardStop.Token);
        }

        LogReportGaveUp(_logger, task.Id, verb, last);
    }

    internal async Task ReportProgressAsync(AgentTask task, double? percent, string? message, CancellationToken cancellationToken)
    {
        var path = $"api/tasks/{Uri.EscapeDataString(task.Id)}/progress";
        try
        {
            using var response = await SendAsync(HttpMethod.Post, path, new TaskProgressReport(task.LeaseToken, percent, message), cancellationToken);
            if (response.StatusCode == HttpStatusCode.Conflict && _running.TryGetValue(task.Id, out var running) && running.Task == task)
            {
                LogStaleLease(_logger, task.Id);
                running.Drop();
            }
            else if (!response.IsSuccessStatusCode)
            {
                LogProgressFailed(_logger, task.Id, await RefusalAsync(response, cancellationToken));
            }
        }
        catch (Exception ex) when (IsTransient(ex, cancellationToken))
        {
            LogProgressFailed(_logger, task.Id, ex);
        }
    }

    private void Cancel(IReadOnlyList<string>? taskIds)
    {
        foreach (var id in taskIds ?? [])
        {
            if (_running.TryGetValue(id, out var running))
            {
                LogTaskCancelled(_logger, id);
                running.Drop();
            }
        }
    }

    private async Task DrainAsync()
    {
        var all = Task.WhenAll(_running.Values.Select(r => r.Completion));
        var grace = Task.Delay(_options.StopGracePeriod, _hardStop.Token);
        if (await Task.WhenAny(all, grace) != all)
        {
            LogHardStop(_logger, _running.Count);
            await _hardStop.CancelAsync();
        }

        // After a hard stop this waits for handlers to observe their token.
        await all;
    }
}
