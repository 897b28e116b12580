using Clearinghouse.Domain;
using Google.Protobuf.WellKnownTypes;
using V1 = Clearinghouse.Api.V1;

namespace Clearinghouse.Gateway.Services;

/// <summary>Between delisting requests and the operator API's messages.</summary>
public static class DelistingMapping
{
    private static readonly EnumMapping<V1.SubjectKind, SubjectKind> Kinds = new("subject kind");
    private static readonly EnumMapping<V1.ProofMethod, ProofMethod> Methods = new("proof method");
    private static readonly EnumMapping<V1.DelistingStatus, DelistingStatus> Statuses = new("status");

    public static V1.DelistingRequest ToProto(DelistingRequestView request) => new()
    {
        RequestId = request.Id,
        Subject = request.Subject.Value,
        SubjectKind = Kinds.ToProto(request.Subject.Kind),
        Method = Methods.ToProto(request.Method),
        Status = Statuses.ToProto(request.Status),
        CreatedAt = Timestamp.FromDateTimeOffset(request.CreatedAt),
        Requester = request.Requester,
        Explanation = request.Explanation,
        Proof = request.Proof is { } proof
            ? new V1.DelistingProof { Method = Methods.ToProto(proof.Method), At = Timestamp.FromDateTimeOffset(proof.At), Detail = proof.Detail }
            : null,
        DecidedAt = request.DecidedAt is { } decided ? Timestamp.FromDateTimeOffset(decided) : null,
        DecidedBy = request.DecidedBy ?? "",
        DecisionReason = request.DecisionReason ?? "",
    };
}
