using Clearinghouse.Domain;
using Clearinghouse.Grains.FilterList;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Storage;

namespace Clearinghouse.IntegrationTests.Infrastructure;

/// <summary>The filter list as it is in storage (its head, segments and change records), loaded the way its grain loads it.</summary>
public static class StoredFilterList
{
    public static async Task<FilterListLog> LoadAsync(IGrainStorage storage, GrainId grainId)
    {
        var log = new FilterListLog(new FilterListOptions().RetainedChanges);
        await new FilterListStore(storage, grainId, new FilterListOptions().SegmentSize, NullLogger.Instance).LoadAsync(log);
        return log;
    }
}
