using System.Diagnostics;
using Clearinghouse.Api.V1;
using Clearinghouse.TestSupport.Chaos;

namespace Clearinghouse.IntegrationTests;

/// <summary>What every durable store must give a cluster of silo processes: one cluster, and no acknowledged write lost when a silo dies.</summary>
public abstract class ClusterOnStoreTests(LocalCluster cluster)
{
    // The reduced chaos run: the same code as bench/chaos.sh, with smaller numbers.
    protected static readonly ChaosOptions Reduced = new()
    {
        BeforeFault = TimeSpan.FromSeconds(4),
        RestartAfter = TimeSpan.FromSeconds(2),
        AfterRecovery = TimeSpan.FromSeconds(2),
        RecoveryTimeout = TimeSpan.FromSeconds(90),
        VerdictCallers = 4,
        VerdictRecipients = 40,
        Writers = 3,
        RecipientsPerWriter = 8,
        ProbeRecipients = 12,
    };

    [Fact]
    public async Task The_silo_processes_form_one_cluster_and_each_serves_the_gateway()
    {
        var recipient = $"one-cluster-{Guid.NewGuid():N}@{HarnessTenant.Domain}";
        var silos = cluster.Invokers;
        await new Records.RecordsClient(silos[0]).AddRecordAsync(new AddRecordRequest { Recipient = recipient, Pattern = "first@spam.example", Action = RecordAction.Reject });
        await new Records.RecordsClient(silos[1]).AddRecordAsync(new AddRecordRequest { Recipient = recipient, Pattern = "second@spam.example", Action = RecordAction.Reject });
        await new Records.RecordsClient(silos[2]).AddRecordAsync(new AddRecordRequest { Recipient = recipient, Pattern = "third@spam.example", Action = RecordAction.Reject });

        // Were the silos separate clusters on one Redis, each would hold its own activation of the recipient and
        // miss the others' records (or fail on the ETag).
        foreach (var silo in silos)
        {
            var listed = await new Records.RecordsClient(silo).ListRecordsAsync(new ListRecordsRequest { Recipient = recipient });
            Assert.Equal(["first@spam.example", "second@spam.example", "third@spam.example"], listed.Records.Select(r => r.Pattern).Order());
            var verdict = await new Verdicts.VerdictsClient(silo).CheckRecipientAsync(new CheckRecipientRequest { Recipient = recipient, Sender = "second@spam.example" });
            Assert.Equal(VerdictAction.Reject, verdict.Action);
        }
    }

    [Fact]
    public async Task Killing_a_silo_mid_load_loses_no_acknowledged_write()
    {
        AssertNothingLost(await ChaosRun.RunAsync(cluster, Reduced with { Fault = Fault.SiloKill }));
    }

    protected static void AssertNothingLost(ChaosReport report)
    {
        Assert.True(report.AcknowledgedWrites > 0, report.ToString());
        Assert.True(report.Workloads.Single(w => w.Name == "violation reports").AcknowledgedWrites > 0, report.ToString());
        Assert.True(report.LostWrites == 0, report.ToString());
        Assert.True(report.EverySiloAnsweredAfter is not null, report.ToString());
        Assert.True(report.Verdicts.WrongAnswers == 0, report.ToString());
    }
}

/// <summary>Three silo processes on Redis (appendfsync always).</summary>
[Collection(LocalClusterCollection.Name)]
public class MultiSiloTests(LocalClusterFixture fixture) : ClusterOnStoreTests(fixture.Cluster)
{
    [Fact]
    public async Task Killing_redis_mid_load_with_appendfsync_always_loses_no_acknowledged_write()
    {
        Assert.Equal("always", fixture.Cluster.Redis.AppendFsync);
        AssertNothingLost(await ChaosRun.RunAsync(fixture.Cluster, Reduced with { Fault = Fault.RedisKill }));
    }
}

/// <summary>Three silo processes on Azure Storage (Azurite): Table membership and reminders, Table and Blob state.</summary>
[Collection(AzuriteClusterCollection.Name)]
public class AzureMultiSiloTests(AzuriteClusterFixture fixture) : ClusterOnStoreTests(fixture.Cluster);

public class GracefulShutdownTests
{
    [Fact]
    public async Task A_silo_stopped_with_SIGTERM_flushes_its_hit_counts_and_exits_within_the_shutdown_timeout()
    {
        var shutdownTimeout = TimeSpan.FromSeconds(20);
        await using var redis = await RedisServer.StartAsync();
        var options = new LocalClusterOptions
        {
            Silos = 1,
            ClusterId = "sigterm",
            Settings = new Dictionary<string, string>
            {
                // Only deactivation can write the hits within this test.
                ["Clearinghouse:Recipients:HitFlushInterval"] = "01:00:00",
                ["Clearinghouse:Cluster:ShutdownTimeout"] = shutdownTimeout.ToString("c", System.Globalization.CultureInfo.InvariantCulture),
            },
        };
        var recipient = $"sigterm@{HarnessTenant.Domain}";

        await using (var silo = await SiloProcess.StartAsync(options.SiloDll, LocalCluster.SiloSettings(options, redis), options.StartTimeout))
        {
            var (channel, invoker) = HarnessTenant.Connect(silo.Address);
            using (channel)
            {
                await new Records.RecordsClient(invoker).AddRecordAsync(new AddRecordRequest { Recipient = recipient, Pattern = "spam.example", Action = RecordAction.Reject });
                var verdicts = new Verdicts.VerdictsClient(invoker);
                for (var i = 0; i < 25; i++)
                {
                    await verdicts.CheckRecipientAsync(new CheckRecipientRequest { Recipient = recipient, Sender = $"s{i}@spam.example" });
                }
            }

            var stopping = Stopwatch.StartNew();
            Assert.True(await silo.TerminateAsync(shutdownTimeout + TimeSpan.FromSeconds(10)), silo.RecentOutput);
            Assert.True(stopping.Elapsed < shutdownTimeout, $"stopping took {stopping.Elapsed}");
            Assert.True(silo.ExitCode == 0, silo.RecentOutput);
        }

        await using var next = await SiloProcess.StartAsync(options.SiloDll, LocalCluster.SiloSettings(options, redis), options.StartTimeout);
        var (nextChannel, nextInvoker) = HarnessTenant.Connect(next.Address);
        using (nextChannel)
        {
            var listed = await new Records.RecordsClient(nextInvoker).ListRecordsAsync(new ListRecordsRequest { Recipient = recipient });
            Assert.Equal(25ul, listed.Records.Single().HitCount);
        }
    }
}
