namespace Orleans.TaskEngine.Schedules;

/// <summary>
/// The ids of every schedule (a single grain, key 0), stored: what the silos' keeper wakes after a full restart and
/// what <c>GET /api/schedules</c> lists.
/// </summary>
public interface IScheduleDirectoryGrain : IGrainWithIntegerKey
{
    Task Add(string scheduleId);

    Task Remove(string scheduleId);

    Task<string[]> List();
}
