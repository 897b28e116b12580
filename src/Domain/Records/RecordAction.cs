namespace Clearinghouse.Domain;

/// <summary>What a recipient wants done with mail from senders matching a record.</summary>
public enum RecordAction
{
    /// <summary>Always deliver (an allow-list entry).</summary>
    Allow = 0,

    /// <summary>Refuse at RCPT with 550 5.7.1 and the recipient's message.</summary>
    Reject = 1,

    /// <summary>Accept with 250, then drop silently.</summary>
    Discard = 2,

    /// <summary>Accept with 250, drop, and send the sender a notice quoting the message (only to a verified sender).</summary>
    Bounce = 3,

    /// <summary>Temporary refusal: 450 4.7.1.</summary>
    Defer = 4,
}

/// <summary>Where a record came from.</summary>
public enum RecordSource
{
    User = 0,
    Provider = 1,
    DoNotSend = 2,
    Import = 3,
}
