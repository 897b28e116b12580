namespace Clearinghouse.Domain;

/// <summary>What the recipient grain needs to judge a message. The sender is already normalised.</summary>
[GenerateSerializer, Immutable]
public sealed record CheckRequest(
    [property: Id(0)] Address Sender,
    [property: Id(1)] MessageChannel Channel,
    [property: Id(2)] SenderVerification? Verification = null)
{
    /// <summary>True when the sender's domain was found authorised for the connecting IP (or an IM service vouches for it).</summary>
    public bool SenderVerified => Verification?.IsVerified == true;

    /// <summary>
    /// The recipient itself. Its grain is keyed by a keyed hash, not the address, so a check that may record a violation
    /// report (which identifies the recipient by its SHA-256) carries it.
    /// </summary>
    [Id(3)]
    public Address? Recipient { get; init; }

    /// <summary>Evidence of the message being checked, when the caller has it (Message-ID, date, header digest).</summary>
    [Id(6)]
    public MessageEvidence? Message { get; init; }

    /// <summary>The global filter-list entry the gateway's replica matched for this sender, if any.</summary>
    [Id(7)]
    public FilterListing? Listing { get; init; }

    /// <summary>The provider asking (the reporter of any violation this check finds).</summary>
    [Id(8)]
    public string? ProviderId { get; init; }

    /// <summary>The provider's sender-list entry the gateway matched for this sender, if any (it applies when the recipient's own records do not decide).</summary>
    [Id(9)]
    public BlockingRecord? ProviderListed { get; init; }
}
