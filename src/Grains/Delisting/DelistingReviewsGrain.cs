using Clearinghouse.Contracts;
using Clearinghouse.Domain;

namespace Clearinghouse.Grains.Delisting;

/// <summary>The operators' review queue (see <see cref="IDelistingReviews"/>). A failed write deactivates it so the next call reloads.</summary>
public sealed class DelistingReviewsGrain(
    [PersistentState("delisting-reviews", StorageNames.Clearinghouse)] IPersistentState<DelistingReviewsState> state) : Grain, IDelistingReviews
{
    Task IDelistingReviews.Add(DelistingRequestView request)
    {
        ArgumentNullException.ThrowIfNull(request);
        state.State.Waiting[request.Id] = request;
        return PersistAsync();
    }

    Task IDelistingReviews.Remove(string requestId) =>
        state.State.Waiting.Remove(requestId) ? PersistAsync() : Task.CompletedTask;

    Task<IReadOnlyList<DelistingRequestView>> IDelistingReviews.List(int max) =>
        Task.FromResult<IReadOnlyList<DelistingRequestView>>(state.State.Waiting.Values
            .OrderBy(r => r.Proof?.At ?? r.CreatedAt)
            .ThenBy(r => r.Id, StringComparer.Ordinal)
            .Take(Math.Max(1, max))
            .ToList());

    Task<DelistingRequestView?> IDelistingReviews.Find(string requestId) =>
        Task.FromResult(state.State.Waiting.GetValueOrDefault(requestId));

    private async Task PersistAsync()
    {
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            this.DeactivateOnIdle();
            throw;
        }
    }
}
