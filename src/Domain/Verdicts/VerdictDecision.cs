namespace Clearinghouse.Domain;

/// <summary>
/// The one place a verdict is decided, wherever it runs (a gateway answering from memory, or the recipient's grain).
/// Callers gather the facts and pass them in; the rules, in order:
/// <list type="number">
/// <item>the provider's recipient map (<see cref="ByRecipientMap"/>): an entry for the recipient decides alone;</item>
/// <item>the null sender (a delivery notification) is accepted: records do not apply;</item>
/// <item>a do-not-send request against the sender, unless an allow record for the very address overrules it: in force,
/// the message is a violation; not yet in force, it does not decide; unknown to the caller, the grain decides;</item>
/// <item>the global filter list, unless a record of the recipient allows the sender;</item>
/// <item>the recipient's records (most specific tier first; see <see cref="RecordIndex"/>);</item>
/// <item>the provider's sender list;</item>
/// <item>the recipient's secondary (evicted) list, which flags but does not block; otherwise accept.</item>
/// </list>
/// </summary>
public static class VerdictDecision
{
    /// <summary>Rule 1: the verdict of the provider's recipient-map entry for the recipient, or null when none matched.</summary>
    public static Verdict? ByRecipientMap(MapEntry? entry) => entry is null ? null : VerdictBuilder.ForRecipientMap(entry);

    /// <summary>Rules 2 to 7, for a recipient the recipient map did not decide.</summary>
    public static Decision Decide(in VerdictFacts facts)
    {
        var request = facts.Request;
        var sender = request.Sender;
        if (sender.IsNullSender)
        {
            return new Decision(VerdictBuilder.NullSender);
        }

        var recipient = facts.Recipient;
        var verified = request.SenderVerified;
        var matched = recipient.Records.TryMatch(sender, request.Channel, verified, out var match);
        var allowed = matched && match!.Record.Action == RecordAction.Allow;

        // An allow record for the very address beats a do-not-send request (allow beats block within a tier); a
        // domain-wide allow record does not.
        if (recipient.DoNotSendKeys.Count > 0 && !(allowed && match!.Record.Pattern.Kind == PatternKind.Address)
            && recipient.DoNotSendKeys.Contains(DoNotSendRequest.KeyFor(sender, request.Channel)))
        {
            if (!facts.DoNotSend.Known)
            {
                return Decision.NeedsGrain;
            }

            if (facts.DoNotSend.InForce is { } violated)
            {
                return new Decision(VerdictBuilder.ForViolation(violated.Request), Violated: violated);
            }
        }

        if (request.Listing is { } listing && !allowed)
        {
            return new Decision(VerdictBuilder.ForListing(listing));
        }

        if (matched)
        {
            return new Decision(match!.VerdictFor(verified), match);
        }

        if (request.ProviderListed is { } listed)
        {
            return new Decision(VerdictBuilder.ForProviderSenderList(listed, verified));
        }

        return new Decision(recipient.Secondary.TryMatch(sender, request.Channel, senderVerified: false, out var flagged)
            ? VerdictBuilder.FlaggedBySecondaryList(flagged.Record)
            : VerdictBuilder.NoMatch);
    }
}
