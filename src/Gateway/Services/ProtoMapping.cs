using System.Net;
using Clearinghouse.Domain;
using Google.Protobuf.WellKnownTypes;
using V1 = Clearinghouse.Api.V1;

namespace Clearinghouse.Gateway.Services;

/// <summary>Between the gRPC messages and the domain model. Inbound mappings validate and name the field at fault.</summary>
public static class ProtoMapping
{
    private static readonly EnumMapping<V1.Channel, MessageChannel> Channels = new("channel", unspecifiedMeans: MessageChannel.Email);
    private static readonly EnumMapping<V1.RecordAction, RecordAction> RecordActions = new("action");
    private static readonly EnumMapping<V1.RecordSource, RecordSource> RecordSources = new("source", unspecifiedMeans: RecordSource.User);
    private static readonly EnumMapping<V1.VerdictAction, VerdictAction> VerdictActions = new("action");
    private static readonly EnumMapping<V1.VerificationMethod, VerificationMethod> VerificationMethods =
        new("verification method", renamed: (V1.VerificationMethod.Fcrdns, VerificationMethod.ForwardConfirmedReverseDns));
    private static readonly EnumMapping<V1.SpfResult, SpfResult> SpfResults = new("SPF result");
    private static readonly EnumMapping<V1.MapKind, MapKind> MapKinds = new("map");
    private static readonly EnumMapping<V1.MapAction, MapAction> MapActions = new("action");
    private static readonly EnumMapping<V1.EvictionRule, EvictionRule> EvictionRules = new("eviction rule");

    public static MessageChannel ToDomain(V1.Channel channel, string field = "channel") => Channels.ToDomain(channel, field);

    public static V1.Channel ToProto(MessageChannel channel) => Channels.ToProto(channel);

    public static RecordAction ToDomain(V1.RecordAction action, string field = "action") => RecordActions.ToDomain(action, field);

    public static V1.RecordAction ToProto(RecordAction action) => RecordActions.ToProto(action);

    public static RecordSource ToDomain(V1.RecordSource source, string field = "source") => RecordSources.ToDomain(source, field);

    public static V1.RecordSource ToProto(RecordSource source) => RecordSources.ToProto(source);

    public static V1.VerdictAction ToProto(VerdictAction action) => VerdictActions.ToProto(action);

    public static V1.Verdict ToProto(Verdict verdict, SenderVerification? verification = null) => new()
    {
        Action = ToProto(verdict.Action),
        SmtpCode = (uint)verdict.SmtpCode,
        EnhancedCode = verdict.EnhancedCode,
        Text = verdict.Text,
        MatchedRecordId = verdict.MatchedRecordId ?? "",
        Reason = verdict.Reason,
        NoticeText = verdict.NoticeText ?? "",
        ViolationRecorded = verdict.ViolationRecorded,
        ListedCaseId = verdict.ListedCaseId ?? "",
        ViolationReportKey = verdict.ViolationReportKey ?? "",
        SenderVerified = verification?.IsVerified == true,
        Verification = VerificationMethods.ToProto(verification?.Method ?? VerificationMethod.None),
        SpfResult = SpfResults.ToProto(verification?.Spf ?? SpfResult.None),
        FlaggedRecordId = verdict.FlaggedRecordId ?? "",
    };

    /// <summary>The client IP of a check; null when optional and empty.</summary>
    public static IPAddress? ToClientIp(string text, bool required, string field = "client_ip")
    {
        if (string.IsNullOrWhiteSpace(text) && !required)
        {
            return null;
        }

        return IpPrefix.TryParseAddress(text, out var address, out var problem) ? address : throw new InvalidFieldException(field, problem);
    }

    /// <summary>The HELO/EHLO name of a check, normalised (a domain name or an address literal); null when empty.</summary>
    public static string? ToHelo(string text, string field = "helo")
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        return DomainName.TryNormalize(text, out var helo, out var problem) ? helo : throw new InvalidFieldException(field, problem);
    }

    public static MapKind ToDomain(V1.MapKind map, string field = "map") => MapKinds.ToDomain(map, field);

    public static MapAction ToDomain(V1.MapAction action, string field) => MapActions.ToDomain(action, field);

    public static V1.MapEntry ToProto(MapEntry entry) => new()
    {
        Identifier = entry.Identifier,
        Action = MapActions.ToProto(entry.Action),
        Message = entry.Message,
        CreatedAt = Timestamp.FromDateTimeOffset(entry.CreatedAt),
    };

    public static V1.ListInfo ToProto(ListInfo info) => new()
    {
        MaxRecords = (uint)info.MaxRecords,
        MaxRecordsOverride = (uint)(info.MaxRecordsOverride ?? 0),
        BlockingRecords = (uint)info.BlockingRecords,
        AllowRecords = (uint)info.AllowRecords,
        SecondaryRecords = (uint)info.SecondaryRecords,
        SecondaryMaxRecords = (uint)info.SecondaryMaxRecords,
    };

    public static V1.EvictedRecord ToProto(EvictedRecord evicted) => new()
    {
        Record = ToProto(new RecordView(evicted.Record, evicted.HitCount, null, evicted.DecayedHitRate)),
        EvictedAt = Timestamp.FromDateTimeOffset(evicted.EvictedAt),
        Rule = EvictionRules.ToProto(evicted.Rule),
    };

    public static V1.BlockingRecord ToProto(BlockingRecord record) => new()
    {
        Id = record.Id,
        Pattern = record.Pattern.ToString(),
        Channel = ToProto(record.Channel),
        Action = ToProto(record.Action),
        Message = record.Message,
        ThreatLevel = (uint)record.ThreatLevel,
        Source = ToProto(record.Source),
        CreatedAt = Timestamp.FromDateTimeOffset(record.CreatedAt),
    };

    public static V1.BlockingRecord ToProto(RecordView view)
    {
        var record = ToProto(view.Record);
        record.HitCount = (ulong)view.HitCount;
        record.LastHitAt = view.LastHitAt is { } lastHit ? Timestamp.FromDateTimeOffset(lastHit) : null;
        record.DecayedHitRate = view.DecayedHitRate;
        return record;
    }

    /// <summary>Validates an add-record request into a <see cref="NewRecord"/>.</summary>
    public static NewRecord ToDomain(V1.AddRecordRequest request) =>
        RecordRequestValidator.Validate(
            request.Pattern,
            ToDomain(request.Channel),
            ToDomain(request.Action),
            request.Message,
            ThreatLevel(request.ThreatLevel),
            ToDomain(request.Source));

    /// <summary>Validates a sender-list entry into a <see cref="NewRecord"/>; a field error names the entry (<c>entries[2].pattern</c>).</summary>
    public static NewRecord ToDomain(V1.SenderListEntry entry, string prefix)
    {
        try
        {
            var record = RecordRequestValidator.Validate(entry.Pattern, ToDomain(entry.Channel), ToDomain(entry.Action), entry.Message, ThreatLevel(entry.ThreatLevel), RecordSource.Provider);
            return record.Action == RecordAction.Allow
                ? throw new InvalidFieldException("action", "the sender list holds blocking entries only (reject, discard, bounce, defer)")
                : record;
        }
        catch (InvalidFieldException error)
        {
            throw new InvalidFieldException($"{prefix}.{error.Field}", error.Problem);
        }
    }

    private static int ThreatLevel(uint level) => level > BlockingRecord.MaxThreatLevel ? int.MaxValue : (int)level;
}
