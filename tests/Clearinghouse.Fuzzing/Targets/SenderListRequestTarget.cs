using Clearinghouse.Domain;
using Clearinghouse.Gateway.Services;
using V1 = Clearinghouse.Api.V1;

namespace Clearinghouse.Fuzzing.Targets;

/// <summary><c>ProviderMaps.PutSenderListEntries</c>: each entry through <c>ProtoMapping.ToDomain(entry, "entries[i]")</c>.</summary>
public sealed class SenderListRequestTarget : ProtoFuzzTarget<V1.PutSenderListEntriesRequest>
{
    public override string Name => "sender-list-request";

    public override string Description =>
        "PutSenderListEntriesRequest bytes through Parser.ParseFrom and ProtoMapping.ToDomain for each entry, as " +
        "ProviderMapsService.PutSenderListEntries does: blocking records only, errors naming entries[i].field.";

    protected override void Map(V1.PutSenderListEntriesRequest request)
    {
        for (var i = 0; i < request.Entries.Count; i++)
        {
            var record = ProtoMapping.ToDomain(request.Entries[i], $"entries[{i}]");
            RecordInvariants.CheckNewRecord(record);
            InvariantViolation.Check(record.Action != RecordAction.Allow, "an allow entry in a sender list");
            InvariantViolation.CheckEqual(RecordSource.Provider, record.Source, "the source of a sender list entry");
        }
    }

    protected override IEnumerable<V1.PutSenderListEntriesRequest> SeedMessages() =>
    [
        new() { Entries = { new V1.SenderListEntry { Pattern = "spam.example", Action = V1.RecordAction.Reject, Message = "No." } } },
        new()
        {
            Entries =
            {
                new V1.SenderListEntry { Pattern = "*.bulk.example", Action = V1.RecordAction.Discard, ThreatLevel = 5 },
                new V1.SenderListEntry { Pattern = "x@y.example", Action = V1.RecordAction.Defer, Channel = V1.Channel.Im },
            },
        },
    ];

    protected override V1.PutSenderListEntriesRequest GenerateMessage(FuzzRandom random)
    {
        var request = new V1.PutSenderListEntriesRequest();
        var count = random.SmallCount(8);
        for (var i = 0; i < count; i++)
        {
            request.Entries.Add(new V1.SenderListEntry
            {
                Pattern = Grammars.Pattern(random),
                Channel = RequestGrammar.Enum<V1.Channel>(random),
                Action = RequestGrammar.Enum<V1.RecordAction>(random),
                Message = Grammars.ReplyText(random),
                ThreatLevel = (uint)random.Between(0, 12),
            });
        }

        return request;
    }
}
