using Clearinghouse.Domain;
using Clearinghouse.Gateway.Services;
using V1 = Clearinghouse.Api.V1;

namespace Clearinghouse.UnitTests.Api;

public sealed class EnumMappingTests
{
    [Fact]
    public void Every_domain_value_has_a_proto_twin_and_comes_back()
    {
        foreach (var action in Enum.GetValues<RecordAction>())
        {
            Assert.Equal(action, ProtoMapping.ToDomain(ProtoMapping.ToProto(action)));
        }

        foreach (var channel in Enum.GetValues<MessageChannel>())
        {
            Assert.Equal(channel, ProtoMapping.ToDomain(ProtoMapping.ToProto(channel)));
        }

        foreach (var method in Enum.GetValues<DoNotSendMethod>())
        {
            Assert.Equal(method, ViolationMapping.ToDomain(ViolationMapping.ToProto(method), "method"));
        }

        Assert.Equal(V1.VerificationMethod.Fcrdns, ProtoVerdict(VerificationMethod.ForwardConfirmedReverseDns).Verification);
        Assert.Equal(V1.SpfResult.Softfail, ProtoMapping.ToProto(new Verdict(VerdictAction.Accept, 250, "2.1.5", "OK", null, "none"), new SenderVerification(VerificationMethod.None, SpfResult.SoftFail)).SpfResult);
    }

    [Fact]
    public void An_unset_value_is_required_or_means_its_default()
    {
        Assert.Equal(MessageChannel.Email, ProtoMapping.ToDomain(V1.Channel.Unspecified));
        var error = Assert.Throws<InvalidFieldException>(() => ProtoMapping.ToDomain(V1.RecordAction.Unspecified));
        Assert.Equal(("action", "is required"), (error.Field, error.Problem));
    }

    [Fact]
    public void An_unknown_number_is_refused_naming_the_field()
    {
        var error = Assert.Throws<InvalidFieldException>(() => ProtoMapping.ToDomain((V1.MapKind)42, "entries[3].map"));
        Assert.Equal(("entries[3].map", "42 is not a known map"), (error.Field, error.Problem));
    }

    private static V1.Verdict ProtoVerdict(VerificationMethod method) =>
        ProtoMapping.ToProto(new Verdict(VerdictAction.Accept, 250, "2.1.5", "OK", null, "none"), new SenderVerification(method, SpfResult.None));
}
