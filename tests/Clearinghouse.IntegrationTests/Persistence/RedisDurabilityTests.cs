using Clearinghouse.Api.V1;

namespace Clearinghouse.IntegrationTests;

public class RedisDurabilityTests
{
    [Fact]
    public async Task Records_written_through_the_API_survive_a_full_restart_of_the_host()
    {
        await using var redis = await RedisServer.StartAsync();
        var settings = new Dictionary<string, string?>
        {
            ["Clearinghouse:Storage"] = "Redis",
            ["Clearinghouse:Redis:ConnectionString"] = redis.ConnectionString,
            ["Clearinghouse:Cluster:ClusterId"] = "restart-test",
        };
        var recipient = $"durable@{TestTenants.AcmeDomain}";

        var written = new List<string>();
        await using (var first = await ClearinghouseTestHost.StartAsync(settings))
        {
            var records = first.Records();
            for (var i = 0; i < 20; i++)
            {
                var added = await records.AddRecordAsync(new AddRecordRequest { Recipient = recipient, Pattern = $"sender{i}@spam.example", Action = RecordAction.Reject, Message = $"no {i}" });
                written.Add(added.Record.Id);
            }

            var removed = await records.RemoveRecordAsync(new RemoveRecordRequest { Recipient = recipient, RecordId = written[0] });
            Assert.True(removed.Removed);
            written.RemoveAt(0);
        }

        await using var second = await ClearinghouseTestHost.StartAsync(settings);
        var stored = await second.Records().ListRecordsAsync(new ListRecordsRequest { Recipient = recipient });
        Assert.Equal(written.Order(), stored.Records.Select(r => r.Id).Order());

        var verdict = await second.Verdicts().CheckRecipientAsync(new CheckRecipientRequest { Sender = "sender7@spam.example", Recipient = recipient });
        Assert.Equal(VerdictAction.Reject, verdict.Action);
        Assert.Equal("no 7", verdict.Text);
    }
}
