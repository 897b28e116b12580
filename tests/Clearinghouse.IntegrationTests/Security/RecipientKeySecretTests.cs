using Clearinghouse.Api.V1;

namespace Clearinghouse.IntegrationTests;

public class RecipientKeySecretTests
{
    [Fact]
    public async Task The_embedded_system_without_a_secret_makes_one_up_and_answers()
    {
        await using var host = await ClearinghouseTestHost.StartAsync(new Dictionary<string, string?> { ["Clearinghouse:Privacy:RecipientKeySecret"] = null });
        var recipient = $"no-secret@{TestTenants.AcmeDomain}";
        await host.Records().AddRecordAsync(new AddRecordRequest { Recipient = recipient, Pattern = "spam.example", Action = RecordAction.Reject });
        var verdict = await host.Verdicts().CheckRecipientAsync(new CheckRecipientRequest { Recipient = recipient, Sender = "a@spam.example" });
        Assert.Equal(VerdictAction.Reject, verdict.Action);
    }

    [Fact]
    public async Task The_durable_profile_without_a_secret_refuses_to_start()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => ClearinghouseTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Clearinghouse:Storage"] = "Redis",
            ["Clearinghouse:Privacy:RecipientKeySecret"] = null,
        }));
        Assert.Contains("Clearinghouse:Privacy:RecipientKeySecret", error.Message);
    }
}
