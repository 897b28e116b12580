using Clearinghouse.Gateway.Services;
using V1 = Clearinghouse.Api.V1;

namespace Clearinghouse.Fuzzing.Targets;

/// <summary><c>Connections.CheckConnection</c>: the validation of <c>ConnectionsService.CheckConnection</c>.</summary>
public sealed class CheckConnectionRequestTarget : ProtoFuzzTarget<V1.CheckConnectionRequest>
{
    public override string Name => "check-connection-request";

    public override string Description =>
        "CheckConnectionRequest bytes through Parser.ParseFrom and the mapping ConnectionsService.CheckConnection does " +
        "(a required client IP, an optional HELO name).";

    protected override void Map(V1.CheckConnectionRequest request)
    {
        var clientIp = ProtoMapping.ToClientIp(request.ClientIp, required: true)!;
        var helo = ProtoMapping.ToHelo(request.Helo);
        InvariantViolation.Check(!clientIp.IsIPv4MappedToIPv6, $"client IP {clientIp} not canonical");
        if (helo is not null)
        {
            DomainInvariants.CheckDomain(helo);
        }
    }

    protected override IEnumerable<V1.CheckConnectionRequest> SeedMessages() =>
    [
        new() { ClientIp = "192.0.2.1" },
        new() { ClientIp = "2001:db8::25", Helo = "mail.example.com" },
        new() { ClientIp = "::ffff:198.51.100.7", Helo = "[198.51.100.7]" },
    ];

    protected override V1.CheckConnectionRequest GenerateMessage(FuzzRandom random) => new()
    {
        ClientIp = Grammars.IpAddress(random),
        Helo = random.Chance(0.7) ? Grammars.Domain(random) : "",
    };
}
