namespace Clearinghouse.Domain;

/// <summary>
/// What the recipient's side of a verdict is decided from: the check (sender, channel, verification, the global
/// filter-list listing and the provider's sender-list entry the gateway found), the recipient's published snapshot,
/// and what the caller knows of the recipient's do-not-send requests.
/// </summary>
public readonly record struct VerdictFacts(CheckRequest Request, RecipientSnapshot Recipient, DoNotSendFact DoNotSend);

/// <summary>
/// What a caller knows about a do-not-send request against the sender. A cache knows only that one exists (the
/// snapshot lists its key); the recipient's grain knows whether it is in force, and only the grain may record the
/// violation it makes.
/// </summary>
public readonly record struct DoNotSendFact(bool Known, DoNotSendEntry? InForce)
{
    /// <summary>The caller cannot tell whether a request is in force: a sender with one is left to the grain.</summary>
    public static DoNotSendFact Unknown => default;

    /// <summary>The grain looked: <paramref name="inForce"/> is the request in force, or null when none is.</summary>
    public static DoNotSendFact Checked(DoNotSendEntry? inForce) => new(true, inForce);
}

/// <summary>
/// The outcome of <see cref="VerdictDecision.Decide"/>: a verdict, the recipient's record that gave it (its hit is
/// counted), and the do-not-send request the message violates (recorded by the grain before the verdict is
/// answered). No verdict means only the recipient's grain can decide.
/// </summary>
public readonly record struct Decision(Verdict? Verdict, IndexedRecord? Hit = null, DoNotSendEntry? Violated = null)
{
    public static Decision NeedsGrain => default;

    public bool IsDecided => Verdict is not null;
}
