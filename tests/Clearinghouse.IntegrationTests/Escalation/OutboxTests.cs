using Clearinghouse.Api.V1;
using Clearinghouse.Contracts;
using Clearinghouse.Grains.Escalation;
using Microsoft.Extensions.DependencyInjection;

namespace Clearinghouse.IntegrationTests;

/// <summary>The escalation outbox against a real HTTP receiver: retries, dead letters, and a restart between attempts.</summary>
public class OutboxTests
{
    private const string Secret = "outbox-test-secret-0123";

    [Fact]
    public async Task A_destination_that_fails_twice_then_succeeds_gets_one_delivery()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Respond = (_, attempt) => attempt <= 2 ? 503 : 200;
        await using var host = await ClearinghouseTestHost.StartAsync(Settings(receiver, firstRetryDelay: "00:00:00.100"));

        var escalation = Case("case-flaky");
        Assert.Equal(1, await Outbox(host).Enqueue(escalation));
        Assert.Equal(0, await Outbox(host).Enqueue(escalation));

        await receiver.WaitUntilAsync(r => r.Count(w => w.Status == 200) == 1, TimeSpan.FromSeconds(10));
        // Retries come every 100 ms or so: a quiet half second means none is pending.
        await Settle.UntilQuietAsync(() => receiver.Received.Count, TimeSpan.FromMilliseconds(500));
        Assert.Equal([503, 503, 200], receiver.Received.Select(r => r.Status));
        Assert.All(receiver.Received, r => Assert.Equal("case-flaky/authority", r.Header(WebhookTransport.IdempotencyHeader)));

        var delivery = (await host.Operator().ListDeliveriesAsync(new ListDeliveriesRequest())).Deliveries.Single();
        Assert.Equal((DeliveryStatus.Delivered, 3u, ""), (delivery.Status, delivery.Attempts, delivery.LastError));
    }

    [Fact]
    public async Task A_permanent_refusal_is_dead_lettered_and_readable_by_operators()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Respond = (_, _) => 422;
        await using var host = await ClearinghouseTestHost.StartAsync(Settings(receiver, firstRetryDelay: "00:00:00.100"));

        await Outbox(host).Enqueue(Case("case-refused"));
        await receiver.WaitUntilAsync(r => r.Count == 1, TimeSpan.FromSeconds(10));

        var deadline = DateTime.UtcNow.AddSeconds(10);
        Delivery? dead = null;
        while (dead is null && DateTime.UtcNow < deadline)
        {
            dead = (await host.Operator().ListDeliveriesAsync(new ListDeliveriesRequest { Status = DeliveryStatus.DeadLetter })).Deliveries.SingleOrDefault();
            await Task.Delay(50);
        }

        Assert.NotNull(dead);
        Assert.Equal(("case-refused/authority", 1u), (dead.DeliveryId, dead.Attempts));
        Assert.Contains("422", dead.LastError);
        Assert.Empty((await host.Operator().ListDeliveriesAsync(new ListDeliveriesRequest { Status = DeliveryStatus.Pending })).Deliveries);
        await Settle.UntilQuietAsync(() => receiver.Received.Count, TimeSpan.FromMilliseconds(500));
        Assert.Single(receiver.Received);
    }

    [Fact]
    public async Task A_process_restart_between_attempts_loses_nothing()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Respond = (_, _) => 503;
        var settings = Settings(receiver, firstRetryDelay: "00:00:03");
        settings["Clearinghouse:Storage"] = "Redis";
        settings["Clearinghouse:Redis:ConnectionString"] = redis.ConnectionString;
        settings["Clearinghouse:Cluster:ClusterId"] = "outbox-restart";
        settings["Clearinghouse:Escalation:ReminderPeriod"] = "00:00:02";

        await using (var first = await ClearinghouseTestHost.StartAsync(settings))
        {
            await Outbox(first).Enqueue(Case("case-restart"));
            await receiver.WaitUntilAsync(r => r.Count == 1, TimeSpan.FromSeconds(10));
        }

        receiver.Respond = (_, _) => 200;
        await using var second = await ClearinghouseTestHost.StartAsync(settings);
        await receiver.WaitUntilAsync(r => r.Any(w => w.Status == 200), TimeSpan.FromSeconds(30));
        // The reminder ticks every 2 s: quiet for longer than that means no repeat is coming.
        await Settle.UntilQuietAsync(() => receiver.Received.Count, TimeSpan.FromSeconds(2.5));

        Assert.Equal([503, 200], receiver.Received.Select(r => r.Status));
        Assert.All(receiver.Received, r => Assert.Equal("case-restart/authority", r.Header(WebhookTransport.IdempotencyHeader)));
        var delivery = (await second.Operator().ListDeliveriesAsync(new ListDeliveriesRequest())).Deliveries.Single();
        Assert.Equal((DeliveryStatus.Delivered, 2u), (delivery.Status, delivery.Attempts));
    }

    private static IEscalationOutbox Outbox(ClearinghouseTestHost host) =>
        host.Services.GetRequiredService<IGrainFactory>().GetGrain<IEscalationOutbox>(0);

    private static Dictionary<string, string?> Settings(WebhookReceiver receiver, string firstRetryDelay) => new()
    {
        ["Clearinghouse:Escalation:FirstRetryDelay"] = firstRetryDelay,
        ["Clearinghouse:Escalation:Destinations:authority:Kind"] = "StateAuthority",
        ["Clearinghouse:Escalation:Destinations:authority:Webhook:Url"] = receiver.Url("/hook"),
        ["Clearinghouse:Escalation:Destinations:authority:Webhook:Secret"] = Secret,
    };

    private static Domain.EscalationCase Case(string caseId)
    {
        var sender = Domain.Address.Parse("bulk@sender.example", "sender");
        var now = DateTimeOffset.UtcNow;
        var evidence = new Domain.ViolationReport(
            "v:key", sender, new string('a', 64), "acme",
            new Domain.MessageEvidence("first@sender.example", now.AddDays(-4), new string('b', 64)),
            Domain.DoNotSendMethod.Reply, now.AddDays(-3),
            new Domain.MessageEvidence("second@sender.example", now, new string('c', 64)),
            now, Domain.ReportSource.Verdict, Domain.MessageChannel.Email);
        return new Domain.EscalationCase(caseId, sender, now, new Domain.SenderStanding(6, 6, 6, 6, 2, now), ["acme", "other"], [evidence], "test case");
    }
}
