using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Orleans.TaskEngine.Diagnostics;
using Orleans.TaskEngine.Tests.Infrastructure;

namespace Orleans.TaskEngine.Tests.Diagnostics;

[Collection(SharedClusterCollection.Name)]
public sealed class MetricsTests(SharedEngineCluster fixture)
{
    [Fact]
    public async Task Finished_tasks_and_their_latencies_are_published_as_metrics()
    {
        var seen = new ConcurrentBag<(string Instrument, string? Status, string? Kind)>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == TaskEngineInstruments.MeterName)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, _, tags, _) => seen.Add((instrument.Name, Tag(tags, "status"), Tag(tags, "kind"))));
        listener.SetMeasurementEventCallback<double>((instrument, _, tags, _) => seen.Add((instrument.Name, Tag(tags, "status"), Tag(tags, "kind"))));
        listener.Start();

        await fixture.Engine.Finished(await fixture.Engine.SubmitOk("echo", 1));
        await fixture.Engine.Finished(await fixture.Engine.SubmitOk("bad-payload", null, s => s with { MaxAttempts = 1 }));

        Assert.Contains(seen, m => m.Instrument == "taskengine.tasks.submitted");
        Assert.Contains(seen, m => m.Instrument == "taskengine.dispatch.latency");
        Assert.Contains(seen, m => m.Instrument == "taskengine.tasks.finished" && m.Status == "completed");
        Assert.Contains(seen, m => m.Instrument == "taskengine.tasks.finished" && m.Status == "failed");
        Assert.Contains(seen, m => m.Instrument == "taskengine.attempts.failed" && m.Kind == "permanent");
        Assert.Contains(seen, m => m.Instrument == "taskengine.completion.latency");
    }

    private static string? Tag(ReadOnlySpan<KeyValuePair<string, object?>> tags, string name)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == name)
            {
                return tag.Value?.ToString();
            }
        }

        return null;
    }
}
