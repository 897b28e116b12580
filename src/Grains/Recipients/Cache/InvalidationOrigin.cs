using Clearinghouse.Domain;

namespace Clearinghouse.Grains.Recipients.Cache;

/// <summary>
/// Which activation's write sent an invalidation, and when (wall clock, for logs only), carried in the call's request
/// context so that the receiving silo can tell a second activation from a message that arrived late.
/// </summary>
internal static class InvalidationOrigin
{
    public const string Key = "ch-invalidation-origin";

    public static string Describe(RecipientSnapshotVersion version) =>
        $"{version.Activation}#{version.Sequence} sent {DateTime.UtcNow:HH:mm:ss.fff}";

    public static string Current() => RequestContext.Get(Key) as string ?? "unknown";
}
