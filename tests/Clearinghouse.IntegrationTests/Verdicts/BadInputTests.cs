using Clearinghouse.Api.V1;
using Grpc.Core;

namespace Clearinghouse.IntegrationTests;

[Collection(HostCollection.Name)]
public class BadInputTests(HostFixture fixture)
{
    private readonly Records.RecordsClient records = fixture.Host.Records();
    private readonly Verdicts.VerdictsClient verdicts = fixture.Host.Verdicts();
    private readonly string recipient = $"user-{Guid.NewGuid():N}@{TestTenants.AcmeDomain}";

    public static TheoryData<string, Action<AddRecordRequest>> BadRecords => new()
    {
        { "recipient", r => r.Recipient = "" },
        { "recipient", r => r.Recipient = "not-an-address" },
        { "recipient", r => r.Recipient = $"{new string('a', 65)}@{TestTenants.AcmeDomain}" },
        { "pattern", r => r.Pattern = "" },
        { "pattern", r => r.Pattern = "exa mple.com" },
        { "pattern", r => r.Pattern = "ex*ample.com" },
        { "pattern", r => r.Pattern = "@example.com" },
        { "pattern", r => r.Pattern = "*@foo.com" },
        { "recipient", r => r.Recipient = $"*@{TestTenants.AcmeDomain}" },
        { "action", r => r.Action = RecordAction.Unspecified },
        { "action", r => r.Action = (RecordAction)99 },
        { "channel", r => r.Channel = (Channel)7 },
        { "source", r => r.Source = (RecordSource)42 },
        { "message", r => r.Message = new string('m', 451) },
        { "threat_level", r => r.ThreatLevel = 10 },
    };

    [Theory]
    [MemberData(nameof(BadRecords))]
    public async Task A_bad_record_is_refused_naming_the_field_and_nothing_is_stored(string field, Action<AddRecordRequest> spoil)
    {
        var request = new AddRecordRequest { Recipient = recipient, Pattern = "spam@example.com", Action = RecordAction.Reject, Message = "no" };
        spoil(request);

        var error = await Assert.ThrowsAsync<RpcException>(async () => await records.AddRecordAsync(request));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.StartsWith(field + ":", error.Status.Detail);

        var stored = await records.ListRecordsAsync(new ListRecordsRequest { Recipient = recipient });
        Assert.Empty(stored.Records);
    }

    [Theory]
    [InlineData("", "user@acme.example", "sender")]
    [InlineData("bad sender", "user@acme.example", "sender")]
    [InlineData("a@b.example", "", "recipient")]
    [InlineData("a@b.example", "@@", "recipient")]
    [InlineData("a@b.example", "*@acme.example", "recipient")]
    public async Task A_bad_check_is_refused_naming_the_field(string sender, string checkedRecipient, string field)
    {
        var error = await Assert.ThrowsAsync<RpcException>(async () => await verdicts.CheckRecipientAsync(new CheckRecipientRequest { Sender = sender, Recipient = checkedRecipient }));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.StartsWith(field + ":", error.Status.Detail);
    }

    [Fact]
    public async Task A_sender_with_an_asterisk_is_checked_as_the_literal_address_it_is()
    {
        await records.AddRecordAsync(new AddRecordRequest { Recipient = recipient, Pattern = "foo.com", Action = RecordAction.Reject });
        var literal = await verdicts.CheckRecipientAsync(new CheckRecipientRequest { Sender = "*@foo.com", Recipient = recipient });
        Assert.Equal(VerdictAction.Reject, literal.Action);
        var elsewhere = await verdicts.CheckRecipientAsync(new CheckRecipientRequest { Sender = "*@bar.com", Recipient = recipient });
        Assert.Equal(VerdictAction.Accept, elsewhere.Action);
    }

    [Fact]
    public async Task Removing_needs_a_record_id_and_a_wrong_one_changes_nothing()
    {
        var added = await records.AddRecordAsync(new AddRecordRequest { Recipient = recipient, Pattern = "spam@example.com", Action = RecordAction.Reject });

        var error = await Assert.ThrowsAsync<RpcException>(async () => await records.RemoveRecordAsync(new RemoveRecordRequest { Recipient = recipient, RecordId = " " }));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.StartsWith("record_id:", error.Status.Detail);

        var missing = await records.RemoveRecordAsync(new RemoveRecordRequest { Recipient = recipient, RecordId = "no-such-record" });
        Assert.False(missing.Removed);

        var stored = await records.ListRecordsAsync(new ListRecordsRequest { Recipient = recipient });
        Assert.Equal(added.Record.Id, stored.Records.Single().Id);
    }
}
