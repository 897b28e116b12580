using Clearinghouse.Contracts;
using Clearinghouse.Domain;
using Clearinghouse.Grains.Persistence;
using Microsoft.Extensions.Logging;

namespace Clearinghouse.Grains.Delisting;

/// <summary>The operators' review queue (see <see cref="IDelistingReviews"/>). Writes through the shared <see cref="StateWriter"/>.</summary>
public sealed class DelistingReviewsGrain(
    [PersistentState("delisting-reviews", StorageNames.Clearinghouse)] IPersistentState<DelistingReviewsState> state,
    ILogger<DelistingReviewsGrain> logger) : Grain, IDelistingReviews
{
    private StateWriter writer = null!;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        writer = new StateWriter(GrainContext, state, logger);
        return Task.CompletedTask;
    }

    Task IDelistingReviews.Add(DelistingRequestView request)
    {
        ArgumentNullException.ThrowIfNull(request);
        writer.EnsureTrusted();
        state.State.Waiting[request.Id] = request;
        return writer.WriteAsync();
    }

    Task IDelistingReviews.Remove(string requestId)
    {
        writer.EnsureTrusted();
        return state.State.Waiting.Remove(requestId) ? writer.WriteAsync() : Task.CompletedTask;
    }

    Task<IReadOnlyList<DelistingRequestView>> IDelistingReviews.List(int max) =>
        Task.FromResult<IReadOnlyList<DelistingRequestView>>(state.State.Waiting.Values
            .OrderBy(r => r.Proof?.At ?? r.CreatedAt)
            .ThenBy(r => r.Id, StringComparer.Ordinal)
            .Take(Math.Max(1, max))
            .ToList());

    Task<DelistingRequestView?> IDelistingReviews.Find(string requestId) =>
        Task.FromResult(state.State.Waiting.GetValueOrDefault(requestId));
}
