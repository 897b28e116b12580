using Clearinghouse.Domain;
using Clearinghouse.Gateway.Services;
using V1 = Clearinghouse.Api.V1;

namespace Clearinghouse.Fuzzing.Targets;

/// <summary><c>Records.AddRecord</c>: the recipient, then <c>ProtoMapping.ToDomain</c> and <c>RecordRequestValidator</c>.</summary>
public sealed class AddRecordRequestTarget : ProtoFuzzTarget<V1.AddRecordRequest>
{
    public override string Name => "add-record-request";

    public override string Description =>
        "AddRecordRequest bytes through Parser.ParseFrom, the recipient's Address.Parse and ProtoMapping.ToDomain " +
        "(RecordRequestValidator: pattern, channel, action, source, threat level, message). A new record has a " +
        "normalised pattern, defined enums, a threat level of 0-9 and a sanitised message.";

    protected override void Map(V1.AddRecordRequest request)
    {
        var recipient = Address.Parse(request.Recipient, "recipient");
        var record = ProtoMapping.ToDomain(request);
        DomainInvariants.CheckAddress(recipient);
        RecordInvariants.CheckNewRecord(record);
    }

    protected override IEnumerable<V1.AddRecordRequest> SeedMessages() =>
    [
        new() { Recipient = "alice@example.com", Pattern = "newsletter@shop.example", Action = V1.RecordAction.Reject, Message = "I unsubscribed on 3 March. Please stop." },
        new() { Recipient = "alice@example.com", Pattern = "*.example.org", Action = V1.RecordAction.Allow, Channel = V1.Channel.Email },
        new() { Recipient = "bob@im.example", Pattern = ".xyz", Action = V1.RecordAction.Defer, Channel = V1.Channel.Im, ThreatLevel = 9, Source = V1.RecordSource.Import },
    ];

    protected override V1.AddRecordRequest GenerateMessage(FuzzRandom random) => new()
    {
        Recipient = Grammars.Address(random),
        Pattern = Grammars.Pattern(random),
        Channel = RequestGrammar.Enum<V1.Channel>(random),
        Action = RequestGrammar.Enum<V1.RecordAction>(random),
        Message = Grammars.ReplyText(random),
        ThreatLevel = random.Chance(0.9) ? (uint)random.Between(0, 9) : random.Pick([10u, uint.MaxValue, 2147483648u]),
        Source = RequestGrammar.Enum<V1.RecordSource>(random),
    };
}
