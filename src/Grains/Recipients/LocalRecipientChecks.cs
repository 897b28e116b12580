using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Clearinghouse.Contracts;
using Clearinghouse.Domain;
using Clearinghouse.Grains.Cluster;

namespace Clearinghouse.Grains.Recipients;

/// <summary>
/// The recipient grains active in this silo, by grain key, for <see cref="ILocalRecipientChecks"/>. A grain registers
/// its checks on activation and removes it when it deactivates; a check answered through checks that are being removed
/// may lose its hit count (never its verdict, which is decided from persisted records). Nothing is answered here while
/// <see cref="ClusterStanding"/> has not confirmed this silo an active member: a silo frozen long enough to be declared
/// dead holds state others may have changed since (the check then goes to the grain, which waits for a confirmation).
/// </summary>
public sealed class LocalRecipientChecks(ClusterStanding standing) : ILocalRecipientChecks
{
    private readonly ConcurrentDictionary<string, RecipientChecks> registered = new(StringComparer.Ordinal);
    private long localAnswers;

    /// <summary>Checks answered without a grain call since start (for tests and diagnosis).</summary>
    public long LocalAnswers => Interlocked.Read(ref localAnswers);

    public void Register(string recipientKey, RecipientChecks checks) => registered[recipientKey] = checks;

    public void Unregister(string recipientKey, RecipientChecks checks) => registered.TryRemove(new KeyValuePair<string, RecipientChecks>(recipientKey, checks));

    public bool TryCheck(string recipientKey, CheckRequest request, [NotNullWhen(true)] out Verdict? verdict)
    {
        verdict = null;
        if (!standing.IsConfirmed || !registered.TryGetValue(recipientKey, out var checks) || !checks.TryDecide(request, out verdict))
        {
            return false;
        }

        Interlocked.Increment(ref localAnswers);
        return true;
    }
}
