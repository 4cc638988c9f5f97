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

/// <summary>The agent's registration: register (again, after the server declared it dead), heartbeat, deregister.</summary>
public sealed partial class TaskEngineAgent
{
    private async Task RegisterAsync(string? staleId, CancellationToken cancellationToken)
    {
        await _registering.WaitAsync(cancellationToken);
        try
        {
            if (_session?.Id != staleId)
            {
                return; // the other loop registered again already
            }

            var body = new AgentRegistration(_options.Name, _options.Queues, _handlers.Keys.Order(StringComparer.Ordinal).ToArray(), _options.Concurrency, _options.Labels);
            for (var attempt = 0; ; attempt++)
            {
                TimeSpan delay;
                try
                {
                    using var response = await SendAsync(HttpMethod.Post, "api/agents", body, cancellationToken);
                    if (response.IsSuccessStatusCode)
                    {
                        var registered = await response.Content.ReadFromJsonAsync<AgentRegistered>(Json, cancellationToken)
                            ?? throw new TaskEngineApiException("Registering answered with an empty body.");
                        _session = new AgentSession(registered.Id, TimeSpan.FromSeconds(Math.Max(0.01, registered.HeartbeatSeconds)));
                        LogRegistered(_logger, _options.Name, registered.Id, _session.HeartbeatInterval);
                        return;
                    }

                    var refused = await RefusalAsync(response, cancellationToken);
                    if (!IsTransient(response.StatusCode))
                    {
                        throw refused;
                    }

                    delay = refused.RetryAfter ?? Backoff(attempt);
                    LogTransientFailure(_logger, "Registering", delay, refused);
                }
                catch (Exception ex) when (IsTransient(ex, cancellationToken))
                {
                    delay = Backoff(attempt);
                    LogTransientFailure(_logger, "Registering", delay, ex);
                }

                await Task.Delay(delay, cancellationToken);
            }
        }
        finally
        {
            _registering.Release();
        }
    }

    /// <returns>False when the agent is stopping, or the server refused outright (kept to rethrow from RunAsync).</returns>
    private async Task<bool> TryRegisterAgainAsync(string staleId)
    {
        try
        {
            await RegisterAsync(staleId, _stopRequested.Token);
            return true;
        }
        catch (OperationCanceledException) when (_stopRequested.IsCancellationRequested)
        {
            return false;
        }
        catch (TaskEngineApiException ex)
        {
            _fatal = ex;
            await _stopRequested.CancelAsync();
            return false;
        }
    }

    private async Task HeartbeatLoopAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var session = _session!;
            try
            {
                await Task.Delay(session.HeartbeatInterval, cancellationToken);
                var path = $"api/agents/{Uri.EscapeDataString(session.Id)}/heartbeat";
                using var response = await SendAsync(HttpMethod.Post, path, Heartbeat(), cancellationToken);
                if (response.StatusCode == HttpStatusCode.NotFound)
                {
                    if (_stopRequested.IsCancellationRequested)
                    {
                        continue; // deregistered: the leases finish or expire on their own
                    }

                    LogUnknownAgent(_logger, session.Id);
                    await TryRegisterAgainAsync(session.Id);
                    continue;
                }

                if (!response.IsSuccessStatusCode)
                {
                    throw await RefusalAsync(response, cancellationToken);
                }

                var answer = await response.Content.ReadFromJsonAsync<AgentHeartbeatAnswer>(Json, cancellationToken);
                Cancel(answer?.CancelledTaskIds);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogHeartbeatFailed(_logger, session.Id, ex);
            }
        }
    }

    private AgentHeartbeat Heartbeat()
    {
        using var self = Process.GetCurrentProcess();
        var cpu = self.TotalProcessorTime;
        var now = Stopwatch.GetTimestamp();
        var wall = Stopwatch.GetElapsedTime(_lastCpuAt, now);
        var cpuPercent = wall > TimeSpan.Zero ? (cpu - _lastCpu) / wall / Environment.ProcessorCount * 100 : 0;
        (_lastCpu, _lastCpuAt) = (cpu, now);
        return new AgentHeartbeat(_running.Keys.ToArray(), Math.Round(cpuPercent, 1), self.WorkingSet64);
    }

    private async Task DeregisterAsync()
    {
        if (_session is not { } session)
        {
            return;
        }

        LogStopping(_logger, session.Id, _options.StopGracePeriod, _running.Count);
        try
        {
            using var response = await SendAsync(HttpMethod.Delete, $"api/agents/{Uri.EscapeDataString(session.Id)}", null, _hardStop.Token);
        }
        catch (Exception ex) when (IsTransient(ex, _hardStop.Token))
        {
            LogDeregisterFailed(_logger, session.Id, ex);
        }
        catch (OperationCanceledException) when (_hardStop.IsCancellationRequested)
        {
            // Stopping hard: no time to say goodbye; missed heartbeats will tell the server.
        }
    }
}
