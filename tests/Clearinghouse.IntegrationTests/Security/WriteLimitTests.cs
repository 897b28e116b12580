using Clearinghouse.Api.V1;
using Grpc.Core;

namespace Clearinghouse.IntegrationTests;

public class WriteLimitTests
{
    [Fact]
    public async Task Writes_beyond_a_providers_limit_are_refused_with_ResourceExhausted_and_change_nothing()
    {
        await using var host = await ClearinghouseTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Clearinghouse:Providers:acme:WritesPerSecond"] = "1",
            ["Clearinghouse:Providers:acme:WriteBurst"] = "3",
        });
        var recipient = $"limited@{TestTenants.AcmeDomain}";
        var records = host.Records();

        // Sent together, so the bucket (three, refilled one a second) cannot refill between them however slow the machine.
        var attempts = await Task.WhenAll(Enumerable.Range(0, 10).Select(async i =>
        {
            try
            {
                await records.AddRecordAsync(new AddRecordRequest { Recipient = recipient, Pattern = $"s{i}@spam.example", Action = RecordAction.Reject });
                return (StatusCode?)null;
            }
            catch (RpcException e)
            {
                return e.StatusCode;
            }
        }));

        var refused = attempts.Count(code => code is not null);
        Assert.All(attempts.Where(code => code is not null), code => Assert.Equal(StatusCode.ResourceExhausted, code));
        Assert.InRange(refused, 10 - 5, 10 - 3);
        Assert.Equal(10 - refused, (await records.ListRecordsAsync(new ListRecordsRequest { Recipient = recipient })).Records.Count);

        // Reads and verdicts are not writes; another provider has its own limit.
        for (var i = 0; i < 20; i++)
        {
            await host.Verdicts().CheckRecipientAsync(new CheckRecipientRequest { Recipient = recipient, Sender = "s1@spam.example" });
        }

        await host.Records(TestTenants.OtherKey).AddRecordAsync(new AddRecordRequest { Recipient = $"free@{TestTenants.OtherDomain}", Pattern = "x@spam.example", Action = RecordAction.Reject });
    }
}
