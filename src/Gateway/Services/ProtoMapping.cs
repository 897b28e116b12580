using System.Net;
using Clearinghouse.Domain;
using Google.Protobuf.WellKnownTypes;
using V1 = Clearinghouse.Api.V1;

namespace Clearinghouse.Gateway.Services;

/// <summary>Between the gRPC messages and the domain model. Inbound mappings validate and name the field at fault.</summary>
public static class ProtoMapping
{
    public static Domain.Channel ToDomain(V1.Channel channel, string field = "channel") => channel switch
    {
        V1.Channel.Unspecified or V1.Channel.Email => Domain.Channel.Email,
        V1.Channel.Im => Domain.Channel.Im,
        _ => throw new InvalidFieldException(field, $"{(int)channel} is not a known channel"),
    };

    public static V1.Channel ToProto(Domain.Channel channel) => channel switch
    {
        Domain.Channel.Im => V1.Channel.Im,
        _ => V1.Channel.Email,
    };

    public static RecordAction ToDomain(V1.RecordAction action, string field = "action") => action switch
    {
        V1.RecordAction.Allow => RecordAction.Allow,
        V1.RecordAction.Reject => RecordAction.Reject,
        V1.RecordAction.Discard => RecordAction.Discard,
        V1.RecordAction.Bounce => RecordAction.Bounce,
        V1.RecordAction.Defer => RecordAction.Defer,
        V1.RecordAction.Unspecified => throw new InvalidFieldException(field, "is required"),
        _ => throw new InvalidFieldException(field, $"{(int)action} is not a known action"),
    };

    public static V1.RecordAction ToProto(RecordAction action) => action switch
    {
        RecordAction.Allow => V1.RecordAction.Allow,
        RecordAction.Reject => V1.RecordAction.Reject,
        RecordAction.Discard => V1.RecordAction.Discard,
        RecordAction.Bounce => V1.RecordAction.Bounce,
        RecordAction.Defer => V1.RecordAction.Defer,
        _ => V1.RecordAction.Unspecified,
    };

    public static RecordSource ToDomain(V1.RecordSource source, string field = "source") => source switch
    {
        V1.RecordSource.Unspecified or V1.RecordSource.User => RecordSource.User,
        V1.RecordSource.Provider => RecordSource.Provider,
        V1.RecordSource.DoNotSend => RecordSource.DoNotSend,
        V1.RecordSource.Import => RecordSource.Import,
        _ => throw new InvalidFieldException(field, $"{(int)source} is not a known source"),
    };

    public static V1.RecordSource ToProto(RecordSource source) => source switch
    {
        RecordSource.Provider => V1.RecordSource.Provider,
        RecordSource.DoNotSend => V1.RecordSource.DoNotSend,
        RecordSource.Import => V1.RecordSource.Import,
        _ => V1.RecordSource.User,
    };

    public static V1.VerdictAction ToProto(VerdictAction action) => action switch
    {
        VerdictAction.Accept => V1.VerdictAction.Accept,
        VerdictAction.Reject => V1.VerdictAction.Reject,
        VerdictAction.Discard => V1.VerdictAction.Discard,
        VerdictAction.Bounce => V1.VerdictAction.Bounce,
        VerdictAction.Defer => V1.VerdictAction.Defer,
        _ => V1.VerdictAction.Unspecified,
    };

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
        Verification = (V1.VerificationMethod)(verification?.Method ?? VerificationMethod.None),
        SpfResult = (V1.SpfResult)(verification?.Spf ?? SpfResult.None),
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

    public static MapKind ToDomain(V1.MapKind map, string field = "map") => map switch
    {
        V1.MapKind.Connection => MapKind.Connection,
        V1.MapKind.Recipient => MapKind.Recipient,
        V1.MapKind.Unspecified => throw new InvalidFieldException(field, "is required"),
        _ => throw new InvalidFieldException(field, $"{(int)map} is not a known map"),
    };

    public static MapAction ToDomain(V1.MapAction action, string field) => action switch
    {
        V1.MapAction.Accept => MapAction.Accept,
        V1.MapAction.Reject => MapAction.Reject,
        V1.MapAction.Unspecified => throw new InvalidFieldException(field, "is required"),
        _ => throw new InvalidFieldException(field, $"{(int)action} is not a known action"),
    };

    public static V1.MapEntry ToProto(MapEntry entry) => new()
    {
        Identifier = entry.Identifier,
        Action = entry.Action == MapAction.Reject ? V1.MapAction.Reject : V1.MapAction.Accept,
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
        Rule = evicted.Rule switch
        {
            EvictionRule.DuplicateInHigherLevelList => V1.EvictionRule.DuplicateInHigherLevelList,
            EvictionRule.LowestThreatLevel => V1.EvictionRule.LowestThreatLevel,
            EvictionRule.LeastFrequentlyHit => V1.EvictionRule.LeastFrequentlyHit,
            _ => V1.EvictionRule.Fallback,
        },
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
