using System.Text.Json;
using System.Text.Json.Serialization;

namespace Clearinghouse.Domain;

/// <summary>
/// The JSON body of an escalation webhook: the case, the sender's counts, and for each sampled violation the three
/// pieces of evidence (first message, request, second message). Recipients appear only as SHA-256 of their address.
/// Only evidence the clearing house holds: a Message-ID or header digest it was not given is null, not empty.
/// </summary>
public sealed record EvidenceDocument(
    string CaseId,
    string DeliveryId,
    string Destination,
    string DestinationKind,
    string Sender,
    string SenderDomain,
    DateTimeOffset OpenedAt,
    string Reason,
    EvidenceDocument.Counts Standing,
    IReadOnlyList<string> ReportingProviders,
    IReadOnlyList<EvidenceDocument.Violation> Violations,
    string Reporter)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    public static EvidenceDocument For(EscalationCase escalation, string deliveryId, string destination, DestinationKind kind, string reporter) =>
        new(
            escalation.CaseId,
            deliveryId,
            destination,
            JsonNamingPolicy.SnakeCaseLower.ConvertName(kind.ToString()),
            escalation.Sender.Value,
            escalation.Sender.Domain,
            escalation.OpenedAt,
            escalation.Reason,
            new Counts(escalation.Standing.ReportsInWindow, escalation.Standing.DistinctRecipients, escalation.Standing.WeightedRecipients, escalation.Standing.DistinctProviders),
            escalation.ReportingProviders,
            escalation.Evidence.Select(Violation.From).ToList(),
            reporter);

    public byte[] ToUtf8() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    public sealed record Counts(int ReportsInWindow, int DistinctRecipients, double WeightedRecipients, int DistinctProviders);

    public sealed record Message(string? MessageId, DateTimeOffset Date, string? HeaderDigest)
    {
        public static Message From(MessageEvidence evidence) =>
            new(NullIfEmpty(evidence.MessageId), evidence.Date, NullIfEmpty(evidence.HeaderDigest));

        private static string? NullIfEmpty(string value) => value.Length > 0 ? value : null;
    }

    public sealed record Violation(
        string ReportKey,
        string ProviderId,
        string RecipientSha256,
        MessageChannel Channel,
        ReportSource Source,
        Message FirstMessage,
        DoNotSendMethod RequestMethod,
        DateTimeOffset RequestedAt,
        Message SecondMessage,
        DateTimeOffset ReportedAt)
    {
        public static Violation From(ViolationReport report) => new(
            report.ReportKey,
            report.ProviderId,
            report.RecipientHash,
            report.Channel,
            report.Source,
            Message.From(report.FirstMessage),
            report.RequestMethod,
            report.RequestedAt,
            Message.From(report.SecondMessage),
            report.ReportedAt);
    }
}
