using Clearinghouse.Domain;
using Google.Protobuf.WellKnownTypes;
using V1 = Clearinghouse.Api.V1;

namespace Clearinghouse.Gateway.Services;

/// <summary>Between the protos of do-not-send, reports, the filter list and the operator API and the domain model.</summary>
public static class ViolationMapping
{
    private static readonly EnumMapping<V1.DoNotSendMethod, DoNotSendMethod> Methods = new("method");
    private static readonly EnumMapping<V1.EscalationState, EscalationState> EscalationStates = new("state");
    private static readonly EnumMapping<V1.FilterChangeOp, FilterChangeOp> ChangeOps = new("operation");
    private static readonly EnumMapping<V1.FilterEntryKind, FilterEntryKind> EntryKinds = new("entry kind");
    private static readonly EnumMapping<V1.ThresholdMode, ThresholdMode> Modes = new("mode");
    private static readonly EnumMapping<V1.DeliveryStatus, DeliveryStatus> Statuses = new("status");
    private static readonly EnumMapping<V1.ListingChange, ListingChange> ListingChanges = new("listing change");

    public static DoNotSendMethod ToDomain(V1.DoNotSendMethod method, string field) => Methods.ToDomain(method, field);

    public static FilterEntryKind ToDomain(V1.FilterEntryKind kind, string field) => EntryKinds.ToDomain(kind, field);

    public static V1.DoNotSendMethod ToProto(DoNotSendMethod method) => Methods.ToProto(method);

    /// <summary>Validates a do-not-send request recorded by <paramref name="providerId"/> (whose recipient the caller checked).</summary>
    public static DoNotSendRequest ToDomain(V1.RecordDoNotSendRequest request, string providerId, TimeSpan gracePeriod, DateTimeOffset now)
    {
        var channel = ProtoMapping.ToDomain(request.Channel);
        var method = ToDomain(request.Method, "method");
        var firstMessage = ToDomain(request.FirstMessage, "first_message");
        return DoNotSendValidator.Validate(
            request.Sender,
            channel,
            method,
            ProtoTime.ToInstant(request.RequestedAt, "requested_at"),
            firstMessage,
            gracePeriod,
            providerId,
            request.Message,
            now);
    }

    /// <summary>Validates a violation report submitted by <paramref name="providerId"/> for <paramref name="recipient"/>.</summary>
    /// <remarks>The report is classified by the authentication results it carries (none: unverified).</remarks>
    public static ViolationReport ToDomain(V1.SubmitViolationRequest request, Address recipient, string providerId, TimeSpan gracePeriod, DateTimeOffset now)
    {
        var report = ViolationReportValidator.Validate(
            request.ReportId,
            recipient,
            request.Sender,
            ProtoMapping.ToDomain(request.Channel),
            request.FirstMessage is null ? null : ToDomain(request.FirstMessage, "first_message"),
            ToDomain(request.RequestMethod, "request_method"),
            ProtoTime.ToInstant(request.RequestedAt, "requested_at"),
            request.SecondMessage is null ? null : ToDomain(request.SecondMessage, "second_message"),
            providerId,
            gracePeriod,
            now);
        return report.Authenticated(AuthenticationMapping.ToDomain(request.Authentication, request.AuthenticationResultsHeader, report.Sender.Domain));
    }

    public static V1.DomainForgery ToProto(ForgeryStatus forgery) => new()
    {
        Domain = forgery.Domain,
        ForgedReports = (ulong)forgery.ForgedReports,
        SpfFailures = (ulong)forgery.SpfFailures,
        DmarcFailures = (ulong)forgery.DmarcFailures,
        FirstForgedAt = Optional(forgery.FirstForgedAt),
        LastForgedAt = Optional(forgery.LastForgedAt),
        OpenPeriodReports = (ulong)forgery.OpenPeriodReports,
        OpenPeriodEndsAt = Optional(forgery.OpenPeriodEndsAt),
        FailureReportsQueued = (ulong)forgery.FailureReportsQueued,
        LastFailureReportAt = Optional(forgery.LastFailureReportAt),
    };

    /// <summary>Required evidence (a do-not-send request's or a report's message).</summary>
    public static MessageEvidence ToDomain(V1.MessageEvidence? evidence, string field)
    {
        if (evidence is null)
        {
            throw new InvalidFieldException(field, "is required");
        }

        return MessageEvidence.Parse(evidence.MessageId, ProtoTime.ToInstant(evidence.Date, field + ".date"), evidence.HeaderDigest, field);
    }

    /// <summary>The optional evidence of a checked message; null when the check carries none.</summary>
    public static MessageEvidence? CheckedMessage(V1.CheckRecipientRequest request, TimeProvider clock)
    {
        if (request.MessageId.Length == 0 && request.HeaderDigest.Length == 0 && request.MessageDate is null)
        {
            return null;
        }

        var date = ProtoTime.ToInstant(request.MessageDate, "message_date") ?? clock.GetUtcNow();
        return MessageEvidence.Parse(request.MessageId, date, request.HeaderDigest, "", digestRequired: false);
    }

    public static V1.MessageEvidence ToProto(MessageEvidence evidence) => new()
    {
        MessageId = evidence.MessageId,
        Date = Timestamp.FromDateTimeOffset(evidence.Date),
        HeaderDigest = evidence.HeaderDigest,
    };

    public static V1.DoNotSendEntry ToProto(DoNotSendView view)
    {
        var request = view.Request;
        return new V1.DoNotSendEntry
        {
            Sender = request.Sender.Value,
            Channel = ProtoMapping.ToProto(request.Channel),
            Method = ToProto(request.Method),
            RequestedAt = Timestamp.FromDateTimeOffset(request.RequestedAt),
            FirstMessage = ToProto(request.FirstMessage),
            GracePeriod = Duration.FromTimeSpan(request.GracePeriod),
            InForceFrom = Timestamp.FromDateTimeOffset(request.InForceFrom),
            Message = request.Message,
            Violations = (uint)view.Violations,
            LastViolationAt = view.LastViolationAt is { } last ? Timestamp.FromDateTimeOffset(last) : null,
        };
    }

    public static V1.EscalationState ToProto(EscalationState state) => EscalationStates.ToProto(state);

    public static V1.FilterListChange ToProto(FilterChange change) => new()
    {
        Version = (ulong)change.Version,
        Op = ChangeOps.ToProto(change.Op),
        Kind = EntryKinds.ToProto(change.Entry.Kind),
        Value = change.Entry.Value,
        Reason = change.Reason,
        CaseId = change.CaseId,
        At = Timestamp.FromDateTimeOffset(change.At),
        AddressSha1 = change.Entry.AddressSha1 ?? "",
    };

    public static V1.FilterListSnapshot ToSnapshot(FilterListSlice slice)
    {
        var snapshot = new V1.FilterListSnapshot { Version = (ulong)slice.SnapshotVersion };
        snapshot.Entries.AddRange((slice.Snapshot ?? []).Select(ToProto));
        return snapshot;
    }

    public static ThresholdSettings ToDomain(V1.Thresholds thresholds)
    {
        var mode = Modes.ToDomain(thresholds.Mode, "mode");
        return new ThresholdSettings(mode, Clamp(thresholds.AbsoluteThreshold), Clamp(thresholds.RankDivisor), Clamp(thresholds.MinimumProviders)).Validated();
    }

    public static V1.Thresholds ToProto(ThresholdSettings settings) => new()
    {
        Mode = Modes.ToProto(settings.Mode),
        AbsoluteThreshold = (uint)settings.AbsoluteThreshold,
        RankDivisor = (uint)settings.RankDivisor,
        MinimumProviders = (uint)settings.MinimumProviders,
    };

    public static V1.Standing ToProto(SenderStanding standing) => new()
    {
        ReportsInWindow = (uint)standing.ReportsInWindow,
        WeightedReports = standing.WeightedReports,
        DistinctRecipients = (uint)standing.DistinctRecipients,
        WeightedRecipients = standing.WeightedRecipients,
        DistinctProviders = (uint)standing.DistinctProviders,
        LastReportAt = Optional(standing.LastReportAt),
    };

    public static V1.SenderReport ToProto(SenderStatus status, DomainStatus domain, ForgeryStatus forgery)
    {
        var report = new V1.SenderReport
        {
            Sender = status.Sender.Value,
            State = ToProto(status.State),
            CaseId = status.CaseId ?? "",
            Standing = ToProto(status.Standing),
            TotalReports = (ulong)status.TotalReports,
            EvidenceSamples = (uint)status.EvidenceSamples,
            EscalatedAt = Optional(status.EscalatedAt),
            ListedAt = Optional(status.ListedAt),
            DelistedAt = Optional(status.DelistedAt),
            DomainStanding = ToProto(domain.Standing),
            DomainDistinctSenders = (uint)domain.DistinctSenders,
            ExpiresAt = Optional(status.ExpiresAt),
            RecurrenceUntil = Optional(status.RecurrenceUntil),
            Authentication = new V1.AuthenticationCounts
            {
                Verified = (ulong)status.Authentication.Verified,
                Unverified = (ulong)status.Authentication.Unverified,
                Forged = (ulong)status.Authentication.Forged,
            },
        };
        report.DomainForgery = ToProto(forgery);
        report.ReportingProviders.AddRange(status.ReportingProviders);
        report.History.AddRange(status.History.Select(entry => new V1.ListingEvent
        {
            Change = ListingChanges.ToProto(entry.Change),
            At = Timestamp.FromDateTimeOffset(entry.At),
            CaseId = entry.CaseId ?? "",
            Reason = entry.Reason,
        }));
        return report;
    }

    /// <summary>A status filter: unset means every status.</summary>
    public static DeliveryStatus? ToDomain(V1.DeliveryStatus status) =>
        status == V1.DeliveryStatus.Unspecified ? null : Statuses.ToDomain(status, "status");

    public static V1.Delivery ToProto(DeliveryView view) => new()
    {
        DeliveryId = view.DeliveryId,
        CaseId = view.CaseId,
        Destination = view.Destination,
        Transport = view.Transport,
        Status = Statuses.ToProto(view.Status),
        Attempts = (uint)view.Attempts,
        CreatedAt = Timestamp.FromDateTimeOffset(view.CreatedAt),
        LastAttemptAt = Optional(view.LastAttemptAt),
        NextAttemptAt = Optional(view.NextAttemptAt),
        DeliveredAt = Optional(view.DeliveredAt),
        LastError = view.LastError ?? "",
        Resends = (uint)view.Resends,
    };

    public static V1.Case ToProto(CaseView view)
    {
        var proto = new V1.Case
        {
            CaseId = view.CaseId,
            Sender = view.Sender.Value,
            OpenedAt = Timestamp.FromDateTimeOffset(view.OpenedAt),
            Reason = view.Reason,
            Standing = ToProto(view.Standing),
            EvidenceSamples = (uint)view.EvidenceSamples,
        };
        proto.ReportingProviders.AddRange(view.ReportingProviders);
        proto.Deliveries.AddRange(view.Deliveries.Select(ToProto));
        return proto;
    }

    private static Timestamp? Optional(DateTimeOffset? at) => at is { } value ? Timestamp.FromDateTimeOffset(value) : null;

    private static int Clamp(uint value) => value > int.MaxValue ? int.MaxValue : (int)value;
}
