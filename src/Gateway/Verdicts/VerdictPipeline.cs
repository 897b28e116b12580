using System.Diagnostics;
using System.Net;
using Clearinghouse.Domain;
using Clearinghouse.Gateway.FilterList;
using Clearinghouse.Gateway.Grains;
using Clearinghouse.Gateway.Maps;
using Clearinghouse.Gateway.Security;
using Clearinghouse.Gateway.Services;
using Clearinghouse.Gateway.Verification;

namespace Clearinghouse.Gateway.Verdicts;

/// <summary>
/// The verdict path behind every edge protocol. It gathers the facts — the provider's recipient map (in memory),
/// verification of the sender's domain for the client IP (cached), the global filter list (this gateway's replica),
/// the provider's sender list (in memory) — and has <see cref="VerdictDecision"/> decide with the recipient's snapshot:
/// from this silo's read cache, or by the recipient's grain (see <see cref="RecipientGrains.Check"/>).
/// </summary>
public sealed class VerdictPipeline(
    RecipientGrains recipients,
    ProviderMapsReplica maps,
    SenderVerifier verifier,
    FilterListReplica filterList)
{
    public async Task<CheckedVerdict> CheckRecipientAsync(RecipientCheck check, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var (caller, recipient, sender, channel) = (check.Caller, check.Recipient, check.Sender, check.Channel);
        var providerMaps = await maps.GetAsync(caller.Id);

        // The recipient map decides alone; only then are the other facts gathered (verification may query DNS).
        var verdict = VerdictDecision.ByRecipientMap(providerMaps.Recipients.Match(recipient));
        var verification = SenderVerification.Unverified;
        if (verdict is null)
        {
            verification = channel == MessageChannel.Im ? SenderVerification.ByImService
                : check.ClientIp is null || sender.IsNullSender ? SenderVerification.Unverified
                : await verifier.VerifyAsync(check.ClientIp, sender, check.Helo, cancellationToken);
            var request = new CheckRequest(sender, channel, verification)
            {
                Recipient = recipient,
                Message = check.Message,
                Listing = filterList.Match(sender, check.ClientIp),
                ProviderListed = providerMaps.Senders.TryMatch(sender, channel, verification.IsVerified, out var listed) ? listed.Record : null,
                ProviderId = caller.Id,
            };
            verdict = await recipients.Check(recipient, request);
        }

        VerdictMetrics.Record(verdict, channel, started);
        return new CheckedVerdict(verdict, verification);
    }

    /// <summary>
    /// A CONNECT-time check: the provider's connection map, by client IP (longest prefix) or HELO name; when no entry
    /// matches, the global filter list's IP entries (this gateway's replica). A map entry decides first, so that a
    /// provider's accept for a network it trusts stands even if the network is listed.
    /// </summary>
    public async Task<ConnectionVerdict> CheckConnectionAsync(Caller caller, IPAddress clientIp, string? helo, ConnectionVerdictMemo? memo = null)
    {
        var providerMaps = await maps.GetAsync(caller.Id);

        // Read before matching: the replica publishes its version after the change is in its index, so a verdict is
        // remembered with a version no newer than what it was decided from (a change in between means deciding again).
        var listVersion = filterList.Version;
        if (memo is null || !memo.TryGet(clientIp, helo, providerMaps, listVersion, out var verdict, out var matched))
        {
            var match = providerMaps.Connections.Match(clientIp, helo);
            verdict = match.Entry is { } entry ? ForMapEntry(entry, match.Kind)
                : filterList.Match(Address.NullSender, clientIp) is { } listing ? ForListing(listing)
                : ConnectionVerdict.NoMatch;
            matched = match.Kind switch { ConnectionMatchKind.Ip => "ip", ConnectionMatchKind.Helo => "helo", _ => verdict.ListedCaseId is null ? "none" : "filterlist" };
            memo?.Remember(clientIp, helo, providerMaps, listVersion, verdict, matched);
        }

        ClearinghouseTelemetry.ConnectionVerdicts.Add(1, new TagList
        {
            { "action", verdict.Reject ? "reject" : "accept" },
            { "matched", matched },
        });
        return verdict;
    }

    private static ConnectionVerdict ForMapEntry(MapEntry entry, ConnectionMatchKind kind)
    {
        var matchedBy = kind == ConnectionMatchKind.Ip ? "client IP" : "HELO name";
        return entry.Action == MapAction.Reject
            ? new ConnectionVerdict(true, 554, "5.7.1", entry.Message.Length > 0 ? entry.Message : ConnectionVerdict.DefaultRejectText, entry.Identifier, $"connection map rejects {entry.Identifier} ({matchedBy})")
            : new ConnectionVerdict(false, 250, "2.0.0", "OK", entry.Identifier, $"connection map accepts {entry.Identifier} ({matchedBy})");
    }

    private static ConnectionVerdict ForListing(FilterListing listing) =>
        new(true, 554, "5.7.1", ConnectionVerdict.ListedRejectText, listing.Entry.Value, $"client IP on the global filter list (case {listing.CaseId})")
        {
            ListedCaseId = listing.CaseId,
        };
}
