using Clearinghouse.Domain;
using Clearinghouse.Gateway.Services;
using V1 = Clearinghouse.Api.V1;

namespace Clearinghouse.Fuzzing.Targets;

/// <summary><c>DoNotSend.RecordRequest</c>: the recipient, then <c>ViolationMapping.ToDomain</c> (DoNotSendValidator).</summary>
public sealed class DoNotSendRequestTarget : ProtoFuzzTarget<V1.RecordDoNotSendRequest>
{
    private static readonly TimeSpan GracePeriod = TimeSpan.FromDays(2);

    public override string Name => "do-not-send-request";

    public override string Description =>
        "RecordDoNotSendRequest bytes through Parser.ParseFrom, Address.Parse and ViolationMapping.ToDomain (enums, " +
        "Timestamps, the first message's evidence, DoNotSendValidator). An accepted request is not in the future, " +
        "answers an earlier message and comes into force at a representable time.";

    protected override void Map(V1.RecordDoNotSendRequest request)
    {
        var recipient = Address.Parse(request.Recipient, "recipient");
        var validated = ViolationMapping.ToDomain(request, "fuzz", GracePeriod, FixedClock.Now);
        DomainInvariants.CheckAddress(recipient);
        DomainInvariants.CheckAddress(validated.Sender);
        DomainInvariants.CheckEvidence(validated.FirstMessage);
        DomainInvariants.CheckStoredReplyText(validated.Message);
        InvariantViolation.Check(Enum.IsDefined(validated.Channel) && Enum.IsDefined(validated.Method), $"undefined enums in {validated}");
        InvariantViolation.Check(validated.RequestedAt <= FixedClock.Now + DoNotSendValidator.ClockSkew, $"a request from the future: {validated.RequestedAt:O}");
        InvariantViolation.Check(validated.FirstMessage.Date <= validated.RequestedAt, "a request before the message it answers");
        InvariantViolation.CheckEqual(validated.RequestedAt + GracePeriod, validated.InForceFrom, "when the request comes into force");
    }

    protected override IEnumerable<V1.RecordDoNotSendRequest> SeedMessages() =>
    [
        new()
        {
            Recipient = "alice@example.com", Sender = "news@shop.example", Method = V1.DoNotSendMethod.OneClick,
            RequestedAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(FixedClock.Now.AddDays(-1)),
            FirstMessage = RequestGrammar.ValidEvidence("<first@shop.example>", FixedClock.Now.AddDays(-2)), Message = "Stop.",
        },
    ];

    protected override V1.RecordDoNotSendRequest GenerateMessage(FuzzRandom random)
    {
        var epoch = RequestGrammar.Epoch(random);
        return new V1.RecordDoNotSendRequest
        {
            Recipient = Grammars.Address(random),
            Sender = Grammars.Address(random),
            Channel = RequestGrammar.Enum<V1.Channel>(random),
            Method = RequestGrammar.Enum<V1.DoNotSendMethod>(random),
            RequestedAt = RequestGrammar.Timestamp(random, epoch.AddDays(-1)),
            FirstMessage = RequestGrammar.Evidence(random, epoch.AddDays(-2)),
            Message = Grammars.ReplyText(random),
        };
    }
}
