using Clearinghouse.Domain;

namespace Clearinghouse.UnitTests.Records;

public class RecordRequestValidatorTests
{
    [Fact]
    public void Accepts_a_complete_request_and_sanitises_the_message()
    {
        var record = RecordRequestValidator.Validate("*.Example.com", MessageChannel.Im, RecordAction.Reject, "no\r\nmore", 7, RecordSource.User);
        Assert.Equal(PatternKind.Subdomains, record.Pattern.Kind);
        Assert.Equal(MessageChannel.Im, record.Channel);
        Assert.Equal("no  more", record.Message);
        Assert.Equal(7, record.ThreatLevel);
    }

    [Theory]
    [InlineData("", 0, "", "pattern")]
    [InlineData("bad pattern", 0, "", "pattern")]
    [InlineData("example.com", 10, "", "threat_level")]
    [InlineData("example.com", -1, "", "threat_level")]
    public void Names_the_field_at_fault(string pattern, int threat, string message, string field)
    {
        var error = Assert.Throws<InvalidFieldException>(() => RecordRequestValidator.Validate(pattern, MessageChannel.Email, RecordAction.Reject, message, threat, RecordSource.User));
        Assert.Equal(field, error.Field);
    }

    [Fact]
    public void Refuses_a_message_over_450_characters()
    {
        var error = Assert.Throws<InvalidFieldException>(() => RecordRequestValidator.Validate("example.com", MessageChannel.Email, RecordAction.Reject, new string('m', 451), 0, RecordSource.User));
        Assert.Equal("message", error.Field);
    }

    [Fact]
    public void Refuses_unknown_enum_values()
    {
        Assert.Equal("action", Assert.Throws<InvalidFieldException>(() => RecordRequestValidator.Validate("example.com", MessageChannel.Email, (RecordAction)42, "", 0, RecordSource.User)).Field);
        Assert.Equal("channel", Assert.Throws<InvalidFieldException>(() => RecordRequestValidator.Validate("example.com", (MessageChannel)9, RecordAction.Reject, "", 0, RecordSource.User)).Field);
    }
}
