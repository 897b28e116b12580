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
/// The verdict path behind every edge protocol: the provider's recipient map (in memory); verification of the sender's
/// domain for the client IP (cached); the global filter list (this gateway's in-memory replica); the recipient's grain,
/// which decides with the listing in hand so that its allow records can still overrule it; then the provider's sender
/// list (in memory) when nothing else decided.
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

        var verdict = providerMaps.Recipients.Match(recipient);
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
                ProviderId = caller.Id,
            };
            verdict = await recipients.Check(recipient, request);
            if (verdict.MatchedRecordId is null && verdict.ListedCaseId is null && !verdict.ViolationRecorded
                && providerMaps.Senders.TryMatch(sender, channel, verification.IsVerified, out var listed))
            {
                verdict = listed.VerdictFor(verification.IsVerified) with { Reason = "provider's sender list: " + listed.Verdict.Reason };
            }
        }

        VerdictMetrics.Record(verdict, channel, started);
        return new CheckedVerdict(verdict, verification);
    }

    /// <summary>
    /// A CONNECT-time check: the provider's connection map, by client IP (longest prefix) or HELO name; when no entry
    /// matches, the global filter list's IP entries (this gateway's replica). A map entry decides first, so that a
    /// provider's accept for a network it trusts stands even if the network is listed.
    /// </summary>
    public async Task<ConnectionVerdict> CheckConnectionAsync(Caller caller, IPAddress clientIp, string? helo)
    {
        var providerMaps = await maps.GetAsync(caller.Id);
        var match = providerMaps.Connections.Match(clientIp, helo);
        var verdict = match.Entry is { } entry ? ForMapEntry(entry, match.Kind)
            : filterList.Match(Address.NullSender, clientIp) is { } listing ? ForListing(listing)
            : ConnectionVerdict.NoMatch;
        ClearinghouseTelemetry.ConnectionVerdicts.Add(1, new TagList
        {
            { "action", verdict.Reject ? "reject" : "accept" },
            { "matched", match.Kind switch { ConnectionMatchKind.Ip => "ip", ConnectionMatchKind.Helo => "helo", _ => verdict.ListedCaseId is null ? "none" : "filterlist" } },
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
