using System.Diagnostics;
using System.Globalization;
using Clearinghouse.Api.V1;

namespace Clearinghouse.IntegrationTests.Policy;

/// <summary>
/// When the cluster cannot answer (here: its Redis store is gone, so a recipient's grain cannot be activated), each
/// listener answers as configured within its time budget: fail-open lets Postfix accept, fail-closed makes it defer.
/// </summary>
public class PolicyUnavailableTests
{
    [Fact]
    public async Task With_the_store_gone_a_fail_open_listener_lets_mail_through_and_a_fail_closed_one_defers_it_within_the_budget()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var sink = await SmtpSink.StartAsync();
        var open = FreePort.Next();
        var closed = FreePort.Next();
        var settings = new Dictionary<string, string?>
        {
            ["Clearinghouse:Storage"] = "Redis",
            ["Clearinghouse:Redis:ConnectionString"] = redis.ConnectionString,
            ["Clearinghouse:Cluster:ClusterId"] = "policy-unavailable-" + Guid.NewGuid().ToString("n"),
            ["Clearinghouse:Cluster:ShutdownTimeout"] = "00:00:05",
        };
        foreach (var (name, port, mode) in new[] { ("open", open, "Open"), ("closed", closed, "Closed") })
        {
            settings[$"Clearinghouse:Policy:Listeners:{name}:Port"] = port.ToString(CultureInfo.InvariantCulture);
            settings[$"Clearinghouse:Policy:Listeners:{name}:Provider"] = "acme";
            settings[$"Clearinghouse:Policy:Listeners:{name}:WhenUnavailable"] = mode;
            settings[$"Clearinghouse:Policy:Listeners:{name}:TimeBudget"] = "00:00:01";
        }

        await using var host = await ClearinghouseTestHost.StartAsync(settings);
        var services = new Dictionary<string, IReadOnlyDictionary<string, string>>
        {
            ["open"] = new Dictionary<string, string> { ["smtpd_recipient_restrictions"] = $"reject_unauth_destination, check_policy_service inet:127.0.0.1:{open}" },
            ["closed"] = new Dictionary<string, string> { ["smtpd_recipient_restrictions"] = $"reject_unauth_destination, check_policy_service inet:127.0.0.1:{closed}" },
        };
        await using var postfix = await PostfixServer.StartAsync(["relay_domains = acme.example"], services, sink.Port);

        // While the cluster answers, both listeners decide by the records.
        var blocked = $"olga-{Guid.NewGuid():n}@acme.example";
        await host.Records().AddRecordAsync(new AddRecordRequest { Recipient = blocked, Pattern = "spam@bulk.unavailable.test", Action = RecordAction.Reject, Message = "No" });
        foreach (var port in new[] { postfix.Port("open"), postfix.Port("closed") })
        {
            Assert.StartsWith("<** 550 5.7.1 ", (await Swaks.SendAsync(port, "spam@bulk.unavailable.test", blocked)).ReplyTo(blocked), StringComparison.Ordinal);
        }

        redis.Kill();

        // A recipient whose grain is not active needs the store: the cluster cannot answer.
        var fresh = $"paul-{Guid.NewGuid():n}@acme.example";
        var watch = Stopwatch.StartNew();
        var whenOpen = await Swaks.SendAsync(postfix.Port("open"), "someone@any.unavailable.test", fresh);
        Assert.StartsWith("<-  250 ", whenOpen.ReplyTo(fresh), StringComparison.Ordinal);

        var other = $"quinn-{Guid.NewGuid():n}@acme.example";
        var whenClosed = await Swaks.SendAsync(postfix.Port("closed"), "someone@any.unavailable.test", other);
        Assert.StartsWith("<** 450 4.3.0 ", whenClosed.ReplyTo(other), StringComparison.Ordinal);
        Assert.EndsWith("Clearinghouse policy service unavailable; try again later", whenClosed.ReplyTo(other), StringComparison.Ordinal);

        // Each answer came within the listener's budget (1 s), far below Postfix's own 100 s policy timeout.
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(15), $"took {watch.Elapsed}");

        // The store is back: the silo can leave the cluster cleanly.
        await redis.RestartAsync();
    }
}
