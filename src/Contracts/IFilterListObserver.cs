using Clearinghouse.Domain;
using Orleans.Concurrency;

namespace Clearinghouse.Contracts;

/// <summary>A gateway's replica: told of each change as it happens (it catches up by reading on any gap).</summary>
public interface IFilterListObserver : IGrainObserver
{
    [OneWay]
    Task OnChange(FilterChange change);
}
