using System.Text.Json;
using System.Text.Json.Serialization;

namespace Clearinghouse.Domain;

/// <summary>
/// The JSON body of an escalation webhook: the case, the sender's counts, and (by the destination's
/// <see cref="DisclosureLevel"/>) each sampled violation's three pieces of evidence (first message, request, second
/// message) and who reported it. Fields a level leaves out are absent, not empty. Recipients appear only as an
/// identifier keyed per destination (<see cref="CaseDisclosure"/>).
/// Only evidence the clearing house holds: a Message-ID or header digest it was not given is absent, not empty.
/// </summary>
public sealed record EvidenceDocument(
    string CaseId,
    string DeliveryId,
    string Destination,
    string DestinationKind,
    string Disclosure,
    string Sender,
    string SenderDomain,
    DateTimeOffset OpenedAt,
    string Reason,
    EvidenceDocument.Counts Standing,
    IReadOnlyList<string>? ReportingProviders,
    IReadOnlyList<EvidenceDocument.Violation>? Violations,
    string Reporter)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    public static EvidenceDocument For(DisclosedCase disclosed, string deliveryId, string destination, DestinationKind kind, string reporter)
    {
        var escalation = disclosed.Case;
        var full = disclosed.Level == DisclosureLevel.Full;
        var authentication = escalation.Authentication ?? AuthenticationCounts.None;
        return new(
            escalation.CaseId,
            deliveryId,
            destination,
            JsonNamingPolicy.SnakeCaseLower.ConvertName(kind.ToString()),
            JsonNamingPolicy.SnakeCaseLower.ConvertName(disclosed.Level.ToString()),
            escalation.Sender.Value,
            escalation.Sender.Domain,
            escalation.OpenedAt,
            escalation.Reason,
            new Counts(
                escalation.Standing.ReportsInWindow, escalation.Standing.DistinctRecipients, escalation.Standing.WeightedRecipients, escalation.Standing.DistinctProviders,
                authentication.Verified, authentication.Unverified, authentication.Forged),
            full ? escalation.ReportingProviders : null,
            disclosed.Level == DisclosureLevel.Counts ? null : escalation.Evidence.Select(e => Violation.From(e, full)).ToList(),
            reporter);
    }

    public byte[] ToUtf8() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    /// <summary>The window's counts, and the reports since counting began by how their sender was authenticated (forged ones counted toward nothing).</summary>
    public sealed record Counts(int ReportsInWindow, int DistinctRecipients, double WeightedRecipients, int DistinctProviders, long VerifiedReports, long UnverifiedReports, long ForgedReports);

    public sealed record Message(string? MessageId, DateTimeOffset Date, string? HeaderDigest)
    {
        public static Message From(MessageEvidence evidence) =>
            new(NullIfEmpty(evidence.MessageId), evidence.Date, NullIfEmpty(evidence.HeaderDigest));

        private static string? NullIfEmpty(string value) => value.Length > 0 ? value : null;
    }

    /// <summary>One violation; <see cref="ReportId"/>, <see cref="ProviderId"/> and <see cref="RecipientId"/> only at <see cref="DisclosureLevel.Full"/>.</summary>
    public sealed record Violation(
        string? ReportId,
        string? ProviderId,
        string? RecipientId,
        MessageChannel Channel,
        ReportSource Source,
        Message FirstMessage,
        DoNotSendMethod RequestMethod,
        DateTimeOffset RequestedAt,
        Message SecondMessage,
        DateTimeOffset ReportedAt,
        SenderAuthentication SenderAuthentication)
    {
        /// <summary>A violation of a disclosed case (its report key and recipient hash already keyed for the destination).</summary>
        public static Violation From(ViolationReport report, bool full) => new(
            full ? report.ReportKey : null,
            full ? report.ProviderId : null,
            full ? report.RecipientHash : null,
            report.Channel,
            report.Source,
            Message.From(report.FirstMessage),
            report.RequestMethod,
            report.RequestedAt,
            Message.From(report.SecondMessage),
            report.ReportedAt,
            report.Authentication);
    }
}
