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

    public static V1.Verdict ToProto(Verdict verdict) => new()
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
            request.ThreatLevel > BlockingRecord.MaxThreatLevel ? int.MaxValue : (int)request.ThreatLevel,
            ToDomain(request.Source));
}
