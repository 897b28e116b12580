using Clearinghouse.Domain;
using Clearinghouse.Gateway.Services;
using V1 = Clearinghouse.Api.V1;

namespace Clearinghouse.Fuzzing.Targets;

/// <summary><c>ProviderMaps.PutMapEntries</c>: the map kind, then each entry's identifier, action and message.</summary>
public sealed class MapEntriesRequestTarget : ProtoFuzzTarget<V1.PutMapEntriesRequest>
{
    public override string Name => "map-entries-request";

    public override string Description =>
        "PutMapEntriesRequest bytes through Parser.ParseFrom and the validation ProviderMapsService.PutMapEntries does " +
        "before the grain (map kind, MapIdentifier.Parse, action, reply text; not the caller's domain ownership). " +
        "Accepted entries hold a normalised identifier of their map and a stored reply text.";

    protected override void Map(V1.PutMapEntriesRequest request)
    {
        var map = ProtoMapping.ToDomain(request.Map);
        for (var i = 0; i < request.Entries.Count; i++)
        {
            var entry = request.Entries[i];
            var field = $"entries[{i}]";
            var identifier = MapIdentifier.Parse(map, entry.Identifier, field + ".identifier");
            var action = ProtoMapping.ToDomain(entry.Action, field + ".action");
            if (!ReplyText.TryValidate(entry.Message ?? "", out var problem))
            {
                throw new InvalidFieldException(field + ".message", problem);
            }

            InvariantViolation.Check(MapIdentifier.TryParse(map, identifier.Value, out var again, out _) && again == identifier, $"identifier {InputText.Quote(identifier.Value)} does not parse back to itself");
            InvariantViolation.Check(Enum.IsDefined(action), $"map action {action}");
            DomainInvariants.CheckStoredReplyText(ReplyText.Sanitize(entry.Message));
        }
    }

    protected override IEnumerable<V1.PutMapEntriesRequest> SeedMessages() =>
    [
        new()
        {
            Map = V1.MapKind.Connection,
            Entries =
            {
                new V1.MapEntry { Identifier = "192.0.2.0/24", Action = V1.MapAction.Reject, Message = "Dynamic range." },
                new V1.MapEntry { Identifier = "*.example.net", Action = V1.MapAction.Accept },
            },
        },
        new() { Map = V1.MapKind.Recipient, Entries = { new V1.MapEntry { Identifier = "postmaster@example.com", Action = V1.MapAction.Accept } } },
    ];

    protected override V1.PutMapEntriesRequest GenerateMessage(FuzzRandom random)
    {
        var request = new V1.PutMapEntriesRequest { Map = RequestGrammar.Enum<V1.MapKind>(random) };
        var count = random.SmallCount(8);
        for (var i = 0; i < count; i++)
        {
            request.Entries.Add(new V1.MapEntry
            {
                Identifier = random.Next(3) switch
                {
                    0 => Grammars.Cidr(random),
                    1 => Grammars.Address(random),
                    _ => (random.Chance(0.3) ? "*." : "") + Grammars.Domain(random),
                },
                Action = RequestGrammar.Enum<V1.MapAction>(random),
                Message = random.Chance(0.5) ? Grammars.ReplyText(random) : "",
            });
        }

        return request;
    }
}
