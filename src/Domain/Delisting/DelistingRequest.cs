namespace Clearinghouse.Domain;

/// <summary>How a requester proves control of what it wants removed.</summary>
public enum ProofMethod
{
    /// <summary>A confirmation link mailed to the listed address, opened and confirmed.</summary>
    Email = 0,

    /// <summary>A TXT record with the request's token under the domain (as ACME's dns-01 challenge does).</summary>
    Dns = 1,
}

public enum DelistingStatus
{
    /// <summary>Waiting for the requester to prove control (open the mailed link, publish the TXT record).</summary>
    AwaitingProof = 0,

    /// <summary>Proven; the decision (remove at once, or queue for review) is being carried out.</summary>
    Proven = 1,

    /// <summary>Removed at once by self-service.</summary>
    Removed = 2,

    /// <summary>Proven, but the subject has used self-service too often: waiting for an operator.</summary>
    PendingReview = 3,

    /// <summary>An operator approved it: removed.</summary>
    Approved = 4,

    /// <summary>An operator refused it: still listed.</summary>
    Refused = 5,

    /// <summary>Not proven in time.</summary>
    Expired = 6,

    /// <summary>Proven, but the subject was no longer listed: nothing to remove.</summary>
    NotListed = 7,

    /// <summary>The confirmation mail could not be sent.</summary>
    MailFailed = 8,
}

/// <summary>The proof a request carries: how, when, and what was seen (the TXT record found, the link opened).</summary>
[GenerateSerializer, Immutable]
public sealed record DelistingProof(
    [property: Id(0)] ProofMethod Method,
    [property: Id(1)] DateTimeOffset At,
    [property: Id(2)] string Detail);

/// <summary>One delisting request as its subject's grain persists it. Add new fields at the end with new ids.</summary>
[GenerateSerializer]
public sealed class DelistingRequest
{
    [Id(0)]
    public string Id { get; set; } = "";

    [Id(1)]
    public ListedSubject Subject { get; set; } = null!;

    [Id(2)]
    public ProofMethod Method { get; set; }

    [Id(3)]
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>The client address the request came from.</summary>
    [Id(4)]
    public string Requester { get; set; } = "";

    /// <summary>What the requester says (shown to operators).</summary>
    [Id(5)]
    public string Explanation { get; set; } = "";

    /// <summary>For <see cref="ProofMethod.Email"/>: the SHA-256 of the mailed token (the token itself is never stored).</summary>
    [Id(6)]
    public string? TokenSha256 { get; set; }

    /// <summary>For <see cref="ProofMethod.Dns"/>: the value the TXT record must hold (not secret: publishing it is the proof).</summary>
    [Id(7)]
    public string? DnsToken { get; set; }

    [Id(8)]
    public DateTimeOffset ProofDeadline { get; set; }

    [Id(9)]
    public DelistingStatus Status { get; set; }

    [Id(10)]
    public DelistingProof? Proof { get; set; }

    [Id(11)]
    public DateTimeOffset? DecidedAt { get; set; }

    /// <summary>Who decided: <see cref="AuditNames.SelfService"/> or <c>operator:&lt;name&gt;</c>.</summary>
    [Id(12)]
    public string? DecidedBy { get; set; }

    [Id(13)]
    public string? DecisionReason { get; set; }

    /// <summary>Whether the operators' review queue holds it (kept in step with <see cref="Status"/> by the subject's grain).</summary>
    [Id(14)]
    public bool Queued { get; set; }

    public DelistingRequestView View(string dnsRecordName) => new(
        Id, Subject, Method, CreatedAt, Requester, Explanation, ProofDeadline, Status, Proof, DecidedAt, DecidedBy, DecisionReason,
        Method == ProofMethod.Dns ? dnsRecordName : null, DnsToken);
}

/// <summary>A delisting request as the requester and operators see it (never the mailed token).</summary>
[GenerateSerializer, Immutable]
public sealed record DelistingRequestView(
    [property: Id(0)] string Id,
    [property: Id(1)] ListedSubject Subject,
    [property: Id(2)] ProofMethod Method,
    [property: Id(3)] DateTimeOffset CreatedAt,
    [property: Id(4)] string Requester,
    [property: Id(5)] string Explanation,
    [property: Id(6)] DateTimeOffset ProofDeadline,
    [property: Id(7)] DelistingStatus Status,
    [property: Id(8)] DelistingProof? Proof,
    [property: Id(9)] DateTimeOffset? DecidedAt,
    [property: Id(10)] string? DecidedBy,
    [property: Id(11)] string? DecisionReason,
    [property: Id(12)] string? DnsRecordName,
    [property: Id(13)] string? DnsToken);
