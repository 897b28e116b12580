using Clearinghouse.Domain;
using Clearinghouse.Gateway.Services;
using V1 = Clearinghouse.Api.V1;

namespace Clearinghouse.Fuzzing.Targets;

/// <summary><c>Verdicts.CheckRecipient</c> and each check of <c>CheckStream</c>: the validation of <c>VerdictService.CheckAsync</c>.</summary>
public sealed class CheckRecipientRequestTarget : ProtoFuzzTarget<V1.CheckRecipientRequest>
{
    public override string Name => "check-recipient-request";

    public override string Description =>
        "CheckRecipientRequest bytes through Parser.ParseFrom and the mapping VerdictService.CheckAsync does before the " +
        "verdict pipeline (addresses, channel enum, client IP, HELO, the checked message's evidence and Timestamp). " +
        "What it accepts is normalised; what it refuses names a field of the request.";

    protected override void Map(V1.CheckRecipientRequest request)
    {
        var recipient = Address.Parse(request.Recipient, "recipient");
        var sender = Address.Parse(request.Sender, "sender", allowNullSender: true);
        var channel = ProtoMapping.ToDomain(request.Channel);
        var clientIp = ProtoMapping.ToClientIp(request.ClientIp, required: false);
        var helo = ProtoMapping.ToHelo(request.Helo);
        var message = ViolationMapping.CheckedMessage(request, FixedClock.Instance);

        DomainInvariants.CheckAddress(recipient);
        InvariantViolation.Check(!recipient.IsNullSender, "the null sender accepted as a recipient");
        DomainInvariants.CheckAddress(sender);
        InvariantViolation.Check(Enum.IsDefined(channel), $"channel {channel}");
        InvariantViolation.Check(clientIp is null || !clientIp.IsIPv4MappedToIPv6, $"client IP {clientIp} not canonical");
        if (helo is not null)
        {
            DomainInvariants.CheckDomain(helo);
        }

        if (message is not null)
        {
            DomainInvariants.CheckEvidence(message);
        }
    }

    protected override IEnumerable<V1.CheckRecipientRequest> SeedMessages() =>
    [
        new() { Sender = "newsletter@shop.example", Recipient = "alice@example.com" },
        new() { Sender = "<>", Recipient = "Alice@Example.com", Channel = V1.Channel.Email, ClientIp = "192.0.2.1", Helo = "mail.shop.example" },
        new() { Sender = "bob@im.example", Recipient = "carol@im.example", Channel = V1.Channel.Im, ClientIp = "2001:db8::1" },
        new()
        {
            Sender = "a@b.example", Recipient = "c@d.example", MessageId = "<x@y>", HeaderDigest = new string('f', 64),
            MessageDate = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(FixedClock.Now),
        },
    ];

    protected override V1.CheckRecipientRequest GenerateMessage(FuzzRandom random)
    {
        var request = new V1.CheckRecipientRequest
        {
            Sender = Grammars.Address(random),
            Recipient = Grammars.Address(random),
            Channel = RequestGrammar.Enum<V1.Channel>(random),
            ClientIp = random.Chance(0.5) ? Grammars.IpAddress(random) : "",
            Helo = random.Chance(0.5) ? Grammars.Domain(random) : "",
        };
        if (random.Chance(0.4))
        {
            request.MessageId = Grammars.MessageId(random);
            request.MessageDate = RequestGrammar.Timestamp(random, RequestGrammar.Epoch(random));
            request.HeaderDigest = Grammars.HeaderDigest(random);
        }

        return request;
    }
}
