using Clearinghouse.Domain;

namespace Clearinghouse.Grains.Recipients.Cache;

/// <summary>
/// Which activation's write sent an invalidation, and when (wall clock, for logs only), carried in the call's request
/// context: the receiving silo tells a second activation of the recipient from the writer itself (an activation holds
/// a lease of its own silo when that silo's read cache activated it) and from a message that arrived late.
/// </summary>
internal static class InvalidationOrigin
{
    private const string ActivationKey = "ch-invalidation-activation";
    private const string SentKey = "ch-invalidation-sent";

    public static void Set(RecipientSnapshotVersion version)
    {
        RequestContext.Set(ActivationKey, version.Activation);
        RequestContext.Set(SentKey, $"#{version.Sequence} sent {DateTime.UtcNow:HH:mm:ss.fff}");
    }

    /// <summary>The activation whose write sent the invalidation being processed; null when the sender did not say.</summary>
    public static Guid? Activation() => RequestContext.Get(ActivationKey) as Guid?;

    public static string Sent() => RequestContext.Get(SentKey) as string ?? "";
}
