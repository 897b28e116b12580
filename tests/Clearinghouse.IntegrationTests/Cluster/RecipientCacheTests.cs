using System.Diagnostics;
using Clearinghouse.Api.V1;
using Clearinghouse.TestSupport.Chaos;
using Grpc.Core;
using Xunit.Abstractions;

namespace Clearinghouse.IntegrationTests;

/// <summary>
/// Each silo answers checks from memory wherever the recipient's grain lives, and never from a snapshot older than an
/// acknowledged write (docs/RECIPIENT-CACHE.md), on three silo processes: writes through one gateway, checks through
/// the others; a silo frozen with SIGSTOP, killed, or stopped; the cache's bound; hit counts.
/// </summary>
[Collection(LocalClusterCollection.Name)]
public class RecipientCacheTests(LocalClusterFixture fixture, ITestOutputHelper output) : IAsyncLifetime
{
    private const string Probe = "stale@probe.example";
    private const int Rounds = 1000;

    // The lease (5 s by default) and its margin (0.5 s), and what a loaded two-core machine adds to a write.
    private static readonly TimeSpan LeaseAndMargin = TimeSpan.FromSeconds(5.5);
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(2.5);

    // When the frozen silo is declared dead while a write waits (about 5 s into a freeze with the shipped membership
    // settings), the write also waits until the dead silo's own confirmation has run out (ConfirmValidity and a tenth).
    private static readonly TimeSpan DeadSilosConfirmation = TimeSpan.FromSeconds(5.5);

    private readonly HttpClient http = new() { Timeout = TimeSpan.FromSeconds(10) };

    private LocalCluster Cluster => fixture.Cluster;

    // A test that froze, killed or stopped a silo brought it back; wait until every gateway answers checks again (a
    // silo that just rejoined confirms its membership, and the others learn of it, within a few seconds).
    public async Task InitializeAsync()
    {
        foreach (var silo in Cluster.Silos.Where(s => s.HasExited))
        {
            await silo.RestartAsync(Cluster.Options.StartTimeout);
        }

        // Until the membership lists exactly the running silos as active: an incarnation killed by an earlier test stays
        // "active" until the others vote it dead, and a new grain's first writes wait out leases it might hold.
        await using (var client = await ClusterClient.ConnectAsync(Cluster))
        {
            var management = client.Client.GetGrain<Orleans.Runtime.IManagementGrain>(0);
            var settled = Stopwatch.StartNew();
            while ((await management.GetHosts(onlyActive: true)).Count != Cluster.Silos.Count && settled.Elapsed < TimeSpan.FromSeconds(60))
            {
                await Task.Delay(250);
            }
        }

        for (var silo = 0; silo < Cluster.Silos.Count; silo++)
        {
            foreach (var recipient in NewRecipients($"ready{silo}", 3))
            {
                var gateway = silo;
                await ChaosContext.RetryAsync(async () => await Verdicts(gateway).CheckRecipientAsync(new CheckRecipientRequest { Recipient = recipient, Sender = Probe }, deadline: ChaosContext.Deadline()));
            }
        }
    }

    public async Task DisposeAsync()
    {
        http.Dispose();

        // Leave every silo serving for the collection's next test.
        foreach (var silo in Cluster.Silos.Where(s => s.HasExited))
        {
            await silo.RestartAsync(Cluster.Options.StartTimeout);
        }
    }

    [Fact]
    public async Task A_write_through_one_gateway_is_seen_at_once_by_checks_through_the_others_1000_times_answered_from_memory()
    {
        var recipients = NewRecipients("rounds", 30);
        await WarmAsync(recipients);
        var before = await ScrapeAllAsync();

        var stale = await WriteThenCheckAsync(recipients, Rounds, new Random(10));

        Assert.True(stale.Count == 0, string.Join(Environment.NewLine, stale.Take(20)));
        var after = await ScrapeAllAsync();
        for (var silo = 0; silo < Cluster.Silos.Count; silo++)
        {
            // Most checks before a write find a copy (or the grain's own snapshot) in the silo's memory.
            var hits = Delta(before[silo], after[silo], "clearinghouse_recipient_cache_hits_total");
            Assert.True(hits >= Rounds / 2, $"silo {silo} answered only {hits} checks from memory");
        }

        Assert.True(Enumerable.Range(0, Cluster.Silos.Count).Sum(s => Delta(before[s], after[s], "clearinghouse_recipient_cache_invalidations_total")) > Rounds / 2);
    }

    [Fact]
    public async Task Records_imported_through_one_gateway_are_seen_at_once_by_checks_through_the_others()
    {
        var recipients = NewRecipients("imported", 30);
        await WarmAsync(recipients);
        for (var writer = 0; writer < Cluster.Silos.Count; writer++)
        {
            // Each round imports a record for every recipient (a block, then an allow that replaces it, ...).
            var action = writer % 2 == 0 ? RecordAction.Reject : RecordAction.Allow;
            var import = new ImportRecordsRequest();
            import.Records.AddRange(recipients.Select(r => new AddRecordRequest { Recipient = r, Pattern = Probe, Action = action }));
            var answer = await Records(writer).ImportRecordsAsync(import);
            Assert.Equal(0u, answer.Failed);

            var expected = action == RecordAction.Reject ? VerdictAction.Reject : VerdictAction.Accept;
            foreach (var other in Enumerable.Range(0, Cluster.Silos.Count).Where(s => s != writer))
            {
                foreach (var recipient in recipients)
                {
                    var verdict = await Verdicts(other).CheckRecipientAsync(new CheckRecipientRequest { Recipient = recipient, Sender = Probe });
                    Assert.True(verdict.Action == expected, $"{recipient} through silo {other} after an import through silo {writer}: {verdict.Action}, expected {expected}");
                }
            }
        }
    }

    [Fact]
    public async Task A_write_is_seen_at_once_by_checks_through_the_other_gateways_while_checks_hammer_the_same_recipients()
    {
        var recipients = NewRecipients("hammered", 20);
        await WarmAsync(recipients);
        using var stop = new CancellationTokenSource();
        long background = 0, failed = 0, timedOut = 0;
        var hammers = Enumerable.Range(0, 6).Select(h => Task.Run(async () =>
        {
            var random = new Random(100 + h);
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    await Verdicts(random.Next(3)).CheckRecipientAsync(new CheckRecipientRequest { Recipient = recipients[random.Next(recipients.Length)], Sender = Probe }, deadline: ChaosContext.Deadline());
                    Interlocked.Increment(ref background);
                }
                catch (RpcException error) when (error.StatusCode == StatusCode.DeadlineExceeded)
                {
                    Interlocked.Increment(ref timedOut);
                }
                catch (RpcException)
                {
                    Interlocked.Increment(ref failed);
                }
            }
        })).ToList();

        List<string> stale;
        try
        {
            stale = await WriteThenCheckAsync(recipients, Rounds, new Random(20));
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(hammers);
        }

        Assert.True(stale.Count == 0, string.Join(Environment.NewLine, stale.Take(20)));
        Assert.True(background > Rounds, $"only {background} background checks ran");
        Assert.Equal(0, failed);

        // Six callers in closed loops overload two cores: a check that waits behind a grain's writes longer than the
        // gateway's bound (GrainCallTimeout, 1.5 s) is answered DEADLINE_EXCEEDED by design (issue 8), never stale.
        output.WriteLine($"background checks: {background} answered, {timedOut} DEADLINE_EXCEEDED");
        Assert.True(timedOut <= background / 100, $"{timedOut} of {background} background checks timed out");
    }

    [Fact]
    public async Task Copies_whose_leases_were_renewed_in_batches_are_still_invalidated_before_a_write_is_acknowledged()
    {
        var recipients = NewRecipients("batched", 12);
        var ids = await AddRejectsAsync(recipients, writer: 0);
        await WarmAsync(recipients);
        var before = await ScrapeAllAsync();

        // Checked through every gateway for longer than a lease and its margin: the copies now answer only because
        // their leases were renewed, in batches to the grains' silos, not by reads from the grains.
        var checking = Stopwatch.StartNew();
        while (checking.Elapsed < LeaseAndMargin + TimeSpan.FromSeconds(2))
        {
            for (var silo = 0; silo < Cluster.Silos.Count; silo++)
            {
                foreach (var recipient in recipients)
                {
                    Assert.Equal(VerdictAction.Reject, (await Verdicts(silo).CheckRecipientAsync(new CheckRecipientRequest { Recipient = recipient, Sender = Probe })).Action);
                }
            }

            await Task.Delay(100);
        }

        var renewed = await ScrapeAllAsync();
        var batched = Enumerable.Range(0, Cluster.Silos.Count).Sum(s => Delta(before[s], renewed[s], "clearinghouse_recipient_cache_renewals_total"));
        var batches = Enumerable.Range(0, Cluster.Silos.Count).Sum(s => Delta(before[s], renewed[s], "clearinghouse_recipient_cache_renewal_batches_total"));
        output.WriteLine($"{batched} leases renewed in {batches} batches");
        Assert.True(batched >= recipients.Length, $"only {batched} leases were renewed in batches");

        // Each write, through one gateway, is seen at once through the other two.
        for (var i = 0; i < recipients.Length; i++)
        {
            var writer = i % Cluster.Silos.Count;
            Assert.True((await Records(writer).RemoveRecordAsync(new RemoveRecordRequest { Recipient = recipients[i], RecordId = ids[recipients[i]] })).Removed);
            foreach (var other in Enumerable.Range(0, Cluster.Silos.Count).Where(s => s != writer))
            {
                var verdict = await Verdicts(other).CheckRecipientAsync(new CheckRecipientRequest { Recipient = recipients[i], Sender = Probe });
                Assert.True(verdict.Action == VerdictAction.Accept, $"{recipients[i]} through silo {other} after a write through silo {writer}: {verdict.Action}");
            }
        }
    }

    [Fact]
    public async Task While_a_grain_silo_is_frozen_copies_of_recipients_on_the_other_silos_keep_being_renewed_and_answered()
    {
        await using var client = await ClusterClient.ConnectAsync(Cluster);

        // Checks through one healthy silo of recipients whose grains live on another healthy silo, and of recipients
        // whose grains live on the silo to freeze. Orleans places a new grain by the silos' load (a silo an earlier test
        // restarted takes most of them for a while), and the directory may not answer where an activation lives at once:
        // fresh sets of recipients until two silos hold some; the third is the gateway.
        string[] healthy = [], onFrozen = [];
        int home = 1, gateway = 0, frozen = 2;
        var placements = new List<string>();
        for (var attempt = 0; attempt < 8 && (healthy.Length == 0 || onFrozen.Length == 0); attempt++)
        {
            if (attempt > 0)
            {
                await Task.Delay(TimeSpan.FromSeconds(1));
            }

            var recipients = NewRecipients("unblocked", 36);
            for (var writer = 0; writer < Cluster.Silos.Count; writer++)
            {
                await AddRejectsAsync(recipients[(writer * 12)..((writer + 1) * 12)], writer);
            }

            await WarmAsync(recipients);
            var homes = new Dictionary<string, int?>();
            foreach (var recipient in recipients)
            {
                homes[recipient] = await client.SiloOfRecipientAsync(recipient);
            }

            var counts = Enumerable.Range(0, Cluster.Silos.Count).Select(s => homes.Values.Count(h => h == s)).ToArray();
            placements.Add($"[{string.Join(", ", counts)}; {homes.Values.Count(h => h is null)} unknown]");
            var pair = (from h in Enumerable.Range(0, counts.Length)
                        from f in Enumerable.Range(0, counts.Length)
                        where h != f
                        select (Home: h, Frozen: f, Fewest: Math.Min(counts[h], counts[f]))).MaxBy(p => p.Fewest);
            if (pair.Fewest > 0)
            {
                (home, frozen) = (pair.Home, pair.Frozen);
                gateway = 3 - home - frozen;
                healthy = recipients.Where(r => homes[r] == home).ToArray();
                onFrozen = recipients.Where(r => homes[r] == frozen).ToArray();
            }
        }

        Assert.True(healthy.Length > 0 && onFrozen.Length > 0, $"in {placements.Count} tries no two silos held grains of the recipients (grains per silo: {string.Join(" ", placements)}): nothing to measure");
        output.WriteLine($"grains per silo: {string.Join(" ", placements)}; gateway {gateway}, grains on {home} and on the silo to freeze, {frozen}");

        var address = Cluster.Silos[gateway].ManagementAddress!;
        var before = await PrometheusScrape.ReadAsync(http, address);
        Cluster.Silos[frozen].Pause();
        try
        {
            // Copies of recipients on the frozen silo come due for renewal: their batch waits for a silo that never
            // answers. Checks of them may fail once their leases run out; they are not what this test measures.
            using var stop = new CancellationTokenSource();
            var poking = Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    await Task.WhenAll(onFrozen.Select(async recipient =>
                    {
                        try
                        {
                            await Verdicts(gateway).CheckRecipientAsync(new CheckRecipientRequest { Recipient = recipient, Sender = Probe }, deadline: DateTime.UtcNow.AddSeconds(1));
                        }
                        catch (RpcException)
                        {
                        }
                    }));
                    await Task.Delay(200);
                }
            });

            // Less than the time to be declared dead (about 5 s), more than a batch's own time limit (half a lease).
            var window = Stopwatch.StartNew();
            while (window.Elapsed < TimeSpan.FromSeconds(4))
            {
                foreach (var recipient in healthy)
                {
                    var verdict = await Verdicts(gateway).CheckRecipientAsync(new CheckRecipientRequest { Recipient = recipient, Sender = Probe }, deadline: DateTime.UtcNow.AddSeconds(3));
                    Assert.Equal(VerdictAction.Reject, verdict.Action);
                }

                await Task.Delay(100);
            }

            await stop.CancelAsync();
            await poking;
        }
        finally
        {
            Cluster.Silos[frozen].Resume();
        }

        var after = await PrometheusScrape.ReadAsync(http, address);
        var renewed = Delta(before, after, "clearinghouse_recipient_cache_renewals_total");
        output.WriteLine($"silo {gateway}: {renewed} leases renewed in batches while silo {frozen} was frozen; {healthy.Length} recipients on silo {home}, {onFrozen.Length} on the frozen silo");
        Assert.True(renewed >= healthy.Length, $"only {renewed} leases renewed in batches while silo {frozen} was frozen ({healthy.Length} copies of recipients on silo {home} in use)");

        // Frozen for 4 s it may or may not have been declared dead: start it afresh for the collection's other tests.
        Cluster.Silos[frozen].Kill();
        await Cluster.Silos[frozen].RestartAsync(Cluster.Options.StartTimeout);
    }

    [Fact]
    public async Task A_frozen_silo_delays_writes_only_until_its_lease_ran_out_and_answers_nothing_stale_when_it_wakes()
    {
        const int victim = 2;
        await using var client = await ClusterClient.ConnectAsync(Cluster);

        // Half written first through the silo that will freeze, half through another. Orleans places a new grain by the
        // silos' load, and a silo an earlier test restarted may take them all for a while: fresh sets of recipients
        // until some grains live elsewhere.
        string[] recipients = [];
        Dictionary<string, string> ids = [];
        Dictionary<string, int?> homes = [];
        HashSet<string> onVictim = [];
        for (var attempt = 0; attempt < 8 && onVictim.Count == recipients.Length; attempt++)
        {
            if (attempt > 0)
            {
                await Task.Delay(TimeSpan.FromSeconds(1));
            }

            recipients = NewRecipients("frozen", 12);
            ids = await AddRejectsAsync(recipients[..6], writer: victim);
            foreach (var (recipient, id) in await AddRejectsAsync(recipients[6..], writer: 0))
            {
                ids[recipient] = id;
            }

            // Where each grain lives. Writes to grains on the silo about to freeze wait for it to be declared dead. The
            // others are written through their grain's own silo: a call from one healthy silo to another may itself
            // stall on the frozen one (Orleans' grain directory, issue 8), which is not what this test measures.
            homes = [];
            foreach (var recipient in recipients)
            {
                homes[recipient] = await client.SiloOfRecipientAsync(recipient);
            }

            onVictim = recipients.Where(r => homes[r] is null or victim).ToHashSet();
        }

        Assert.True(onVictim.Count < recipients.Length, "in eight tries every grain lived on the silo to freeze: nothing to measure");

        // The silo about to freeze answers each recipient (from a copy with a fresh lease, or from its own grain).
        var leased = Stopwatch.StartNew();
        foreach (var recipient in recipients)
        {
            Assert.Equal(VerdictAction.Reject, (await Verdicts(victim).CheckRecipientAsync(new CheckRecipientRequest { Recipient = recipient, Sender = Probe })).Action);
        }

        Cluster.Silos[victim].Pause();
        var paused = Stopwatch.StartNew();
        try
        {
            // Removes through the healthy gateways. Those of recipients whose grain is elsewhere wait at most until the
            // frozen silo's lease has run out, and, if it is declared dead meanwhile, until its confirmation has; those whose grain is on the frozen silo wait until it is declared dead
            // and a new activation takes them (or fail, and are retried as a client would).
            var removals = await Task.WhenAll(recipients.Select(async (recipient, i) =>
            {
                var timer = Stopwatch.StartNew();
                try
                {
                    var writer = onVictim.Contains(recipient) ? i % 2 : homes[recipient]!.Value;
                    await Records(writer).RemoveRecordAsync(new RemoveRecordRequest { Recipient = recipient, RecordId = ids[recipient] }, deadline: DateTime.UtcNow.AddSeconds(30));
                    return (Recipient: recipient, Acknowledged: true, timer.Elapsed);
                }
                catch (RpcException)
                {
                    return (Recipient: recipient, Acknowledged: false, timer.Elapsed);
                }
            }));

            var elsewhere = removals.Where(r => !onVictim.Contains(r.Recipient)).ToList();
            var slowest = elsewhere.Max(r => r.Elapsed);
            output.WriteLine($"writes to grains on healthy silos: {elsewhere.Count}, slowest {slowest.TotalSeconds:0.00} s; on the frozen silo: {onVictim.Count}");
            Assert.All(elsewhere, r => Assert.True(r.Acknowledged && r.Elapsed < LeaseAndMargin + DeadSilosConfirmation + Slack, $"a write to a grain on a healthy silo took {r.Elapsed} (acknowledged: {r.Acknowledged})"));

            // And they did wait for the frozen silo's leases, granted less than this long before the freeze.
            var leasesLeft = LeaseAndMargin - leased.Elapsed + paused.Elapsed - slowest - TimeSpan.FromSeconds(1);
            Assert.True(leasesLeft <= TimeSpan.Zero, $"the writes did not wait for the frozen silo's leases (slowest {slowest})");
            foreach (var (recipient, _, _) in removals.Where(r => !r.Acknowledged))
            {
                await ChaosContext.RetryAsync(async () => await Records(0).RemoveRecordAsync(new RemoveRecordRequest { Recipient = recipient, RecordId = ids[recipient] }, deadline: ChaosContext.Deadline()));
            }

            // Frozen long enough to be declared dead (two missed probes of 2 s and the votes), as in issue 8.
            var frozenFor = TimeSpan.FromSeconds(15);
            if (paused.Elapsed < frozenFor)
            {
                await Task.Delay(frozenFor - paused.Elapsed);
            }
        }
        finally
        {
            Cluster.Silos[victim].Resume();
        }

        // Every remove is acknowledged: a check through the woken silo may fail (it is dead, it confirms nothing, it
        // stops), but it must never decide from the records it held before the freeze.
        var staleAnswers = new List<string>();
        var answered = 0;
        var woke = Stopwatch.StartNew();
        while (woke.Elapsed < TimeSpan.FromSeconds(6) && !Cluster.Silos[victim].HasExited)
        {
            foreach (var recipient in recipients)
            {
                try
                {
                    var verdict = await Verdicts(victim).CheckRecipientAsync(new CheckRecipientRequest { Recipient = recipient, Sender = Probe }, deadline: DateTime.UtcNow.AddSeconds(3));
                    answered++;
                    if (verdict.Action != VerdictAction.Accept)
                    {
                        staleAnswers.Add($"{woke.Elapsed.TotalSeconds:0.00} s after waking: {verdict.Action} ({verdict.Reason})");
                    }
                }
                catch (RpcException)
                {
                }
            }
        }

        output.WriteLine($"checks through the woken silo: {answered} answered, {staleAnswers.Count} stale, until it {(Cluster.Silos[victim].HasExited ? "exited" : "was stopped by the test")}");

        // Declared dead, the woken silo stops itself; bring it back for the collection's other tests.
        Cluster.Silos[victim].Kill();
        await Cluster.Silos[victim].RestartAsync(Cluster.Options.StartTimeout);
        Assert.True(staleAnswers.Count == 0, $"{staleAnswers.Count} stale of {answered} answered: " + string.Join("; ", staleAnswers.Take(10)));
        foreach (var recipient in recipients)
        {
            foreach (var healthy in new[] { 0, 1 })
            {
                Assert.Equal(VerdictAction.Accept, (await Verdicts(healthy).CheckRecipientAsync(new CheckRecipientRequest { Recipient = recipient, Sender = Probe })).Action);
            }
        }
    }

    [Fact]
    public async Task Writes_to_recipients_a_killed_silo_cached_complete_and_no_check_is_stale_afterwards_nor_through_the_silo_when_it_rejoins()
    {
        const int victim = 1;
        var recipients = NewRecipients("killed", 12);
        var ids = await AddRejectsAsync(recipients, writer: 0);
        await WarmAsync(recipients);

        var before = await ScrapeAllAsync();
        Cluster.Silos[victim].Kill();
        var writes = Stopwatch.StartNew();
        await Task.WhenAll(recipients.Select((recipient, i) => ChaosContext.RetryAsync(async () =>
            await Records(i % 2 == 0 ? 0 : 2).RemoveRecordAsync(new RemoveRecordRequest { Recipient = recipient, RecordId = ids[recipient] }, deadline: ChaosContext.Deadline()))));
        Assert.True(writes.Elapsed < TimeSpan.FromSeconds(45), $"writes took {writes.Elapsed}");

        // Declared dead by the survivors, and known to be gone (its endpoint refuses connections): writes to grains that
        // took over from it need not wait until it could no longer answer from memory, as they must for a frozen silo.
        var declared = Stopwatch.StartNew();
        var survivors = new[] { 0, 2 };
        var after = await Task.WhenAll(survivors.Select(s => PrometheusScrape.ReadAsync(http, Cluster.Silos[s].ManagementAddress!)));
        while (Delta(before[0], after[0], "clearinghouse_cluster_deaths_declared_total") == 0 && declared.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(500);
            after = await Task.WhenAll(survivors.Select(s => PrometheusScrape.ReadAsync(http, Cluster.Silos[s].ManagementAddress!)));
        }

        Assert.True(Delta(before[0], after[0], "clearinghouse_cluster_deaths_declared_total") >= 1, "silo 0 did not see the killed silo declared dead within 30 s");
        for (var i = 0; i < survivors.Length; i++)
        {
            const string unknown = "process=\"unknown\"";
            Assert.Equal(0, after[i].Sum("clearinghouse_cluster_deaths_declared_total", unknown) - before[survivors[i]].Sum("clearinghouse_cluster_deaths_declared_total", unknown));
        }

        foreach (var recipient in recipients)
        {
            foreach (var survivor in new[] { 0, 2 })
            {
                Assert.Equal(VerdictAction.Accept, (await Verdicts(survivor).CheckRecipientAsync(new CheckRecipientRequest { Recipient = recipient, Sender = Probe })).Action);
            }
        }

        await Cluster.Silos[victim].RestartAsync(Cluster.Options.StartTimeout);
        foreach (var recipient in recipients)
        {
            var verdict = await ChaosContext.RetryAsync(async () => await Verdicts(victim).CheckRecipientAsync(new CheckRecipientRequest { Recipient = recipient, Sender = Probe }, deadline: ChaosContext.Deadline()));
            Assert.Equal(VerdictAction.Accept, verdict.Action);
        }
    }

    [Fact]
    public async Task After_a_silo_stops_cleanly_a_write_to_a_grain_reactivated_elsewhere_invalidates_every_copy_of_the_old_activation()
    {
        const int victim = 0;
        var recipients = NewRecipients("moved", 24);
        var ids = await AddRejectsAsync(recipients, writer: 1);
        await WarmAsync(recipients);

        // Its grains deactivate and leave the cluster with it; the other silos keep their copies, with running leases.
        Assert.True(await Cluster.Silos[victim].TerminateAsync(TimeSpan.FromSeconds(30)));
        await Task.WhenAll(recipients.Select(recipient => ChaosContext.RetryAsync(async () =>
            await Records(1).RemoveRecordAsync(new RemoveRecordRequest { Recipient = recipient, RecordId = ids[recipient] }, deadline: ChaosContext.Deadline()))));
        foreach (var recipient in recipients)
        {
            Assert.Equal(VerdictAction.Accept, (await Verdicts(2).CheckRecipientAsync(new CheckRecipientRequest { Recipient = recipient, Sender = Probe })).Action);
        }

        await Cluster.Silos[victim].RestartAsync(Cluster.Options.StartTimeout);
        foreach (var recipient in recipients)
        {
            Assert.Equal(VerdictAction.Accept, (await ChaosContext.RetryAsync(async () => await Verdicts(victim).CheckRecipientAsync(new CheckRecipientRequest { Recipient = recipient, Sender = Probe }, deadline: ChaosContext.Deadline()))).Action);
        }
    }

    /// <summary>
    /// Issue 8's rolling restart answered checks from before an acknowledged flip: two activations of one recipient
    /// overlapped around a clean stop (the eventually consistent directory deactivated grains on the surviving silos
    /// and let successors start while predecessors still ran), and a write acknowledged by one activation left the
    /// other, or copies it granted, answering from the state it had loaded.
    /// </summary>
    [Fact]
    public async Task While_silos_restart_one_after_another_by_SIGTERM_no_check_through_any_gateway_answers_from_before_an_acknowledged_flip()
    {
        var context = new ChaosContext(Cluster, new ChaosOptions { FlipRecipients = 48, FlipCheckers = 6 });
        var flips = new VerdictFlipWorkload();
        await flips.PrepareAsync(context, CancellationToken.None);

        using var stop = new CancellationTokenSource();
        var load = flips.RunAsync(context, stop.Token);
        await Task.Delay(TimeSpan.FromSeconds(3));
        var terminations = new List<Termination>();
        foreach (var victim in new[] { 0, 1 })
        {
            terminations.Add(await ChaosRun.RestartBySigtermAsync(context, victim, output.WriteLine));
            await Task.Delay(TimeSpan.FromSeconds(2));
        }

        await stop.CancelAsync();
        await load;

        var result = await flips.VerifyAsync(context, CancellationToken.None);
        foreach (var line in result.Notes.Concat(result.StaleVerdicts.Take(20).Select(v => "STALE: " + v.Describe(null))))
        {
            output.WriteLine(line);
        }

        Assert.True(result.Calls - result.FailedCalls > 300, $"only {result.Calls - result.FailedCalls} of {result.Calls} checks and flips answered");
        Assert.All(terminations, t => Assert.True(t.Exited && t.ExitCode == 0, $"silo {t.Silo}: exited {t.Exited}, code {t.ExitCode}"));
        Assert.Empty(result.StaleVerdicts);
    }

    [Fact]
    public async Task A_holder_stopped_cleanly_gives_up_its_leases_so_writes_through_the_other_gateways_do_not_wait_for_them()
    {
        const int victim = 2;
        var recipients = NewRecipients("released", 16);
        var ids = await AddRejectsAsync(recipients, writer: 0); // the grains live on silo 0
        await WarmAsync(recipients);

        // Renewed leases on the victim's copies: a check in the second half of a copy's lease (this cluster's is 5 s)
        // queues its renewal, sent within 0.25 s. The grain's lease then runs 5.5 s from here: a write after the victim's
        // exit (about 1.5 s) would wait out the rest if the victim had not given its leases up.
        await Task.Delay(TimeSpan.FromSeconds(3));
        foreach (var recipient in recipients)
        {
            Assert.Equal(VerdictAction.Reject, (await Verdicts(victim).CheckRecipientAsync(new CheckRecipientRequest { Recipient = recipient, Sender = Probe })).Action);
        }

        await Task.Delay(TimeSpan.FromSeconds(0.5));
        var before = await PrometheusScrape.ReadAsync(http, Cluster.Silos[0].ManagementAddress!);
        var stopped = Stopwatch.StartNew();
        Assert.True(await Cluster.Silos[victim].TerminateAsync(TimeSpan.FromSeconds(10)));

        // A stop longer than about 3.5 s (a badly overloaded machine) leaves too little lease for this test to tell: then
        // even a write that asked the stopped silo would find its lease run out.
        output.WriteLine($"victim stopped in {stopped.Elapsed.TotalSeconds:0.00} s");

        var durations = await Task.WhenAll(recipients.Select(async recipient =>
        {
            var write = Stopwatch.StartNew();
            Assert.True((await Records(0).RemoveRecordAsync(new RemoveRecordRequest { Recipient = recipient, RecordId = ids[recipient] }, deadline: ChaosContext.Deadline())).Removed);
            return write.Elapsed;
        }));
        var after = await PrometheusScrape.ReadAsync(http, Cluster.Silos[0].ManagementAddress!);
        output.WriteLine($"writes after the stop: longest {durations.Max().TotalSeconds:0.00} s");

        // No write waited for the stopped silo (what waiting costs shows as a silent holder). Not their durations: on a
        // machine at load average 70 a write took 4.1 s with no silent holder (grains whose directory entries the stopped
        // silo held are deactivated and activated again).
        Assert.Equal(0, Delta(before, after, "clearinghouse_recipient_cache_silent_holders_total"));
        Assert.True(durations.Max() < LeaseAndMargin, $"longest write {durations.Max()}");
        foreach (var recipient in recipients)
        {
            Assert.Equal(VerdictAction.Accept, (await Verdicts(1).CheckRecipientAsync(new CheckRecipientRequest { Recipient = recipient, Sender = Probe })).Action);
        }
    }

    [Fact]
    public async Task A_silo_stopped_cleanly_is_not_taken_for_dead_so_writes_to_its_grains_do_not_wait_as_after_a_death()
    {
        const int victim = 1;
        var recipients = NewRecipients("cleanleave", 12);
        var ids = await AddRejectsAsync(recipients, writer: victim); // the grains live on the victim

        // The others vote against a stopping silo once it stops answering their probes, before its row says it left: that
        // must not count as a death, after which a write to a grain that moved would wait until the "dead" silo could no
        // longer answer from memory (ConfirmValidity, 5 s). Nothing else slows these writes: no copy is held anywhere.
        var before = await ScrapeAllAsync();
        var stopping = Stopwatch.StartNew();
        Assert.True(await Cluster.Silos[victim].TerminateAsync(TimeSpan.FromSeconds(10)));
        output.WriteLine($"victim stopped in {stopping.Elapsed.TotalSeconds:0.00} s");
        var durations = await Task.WhenAll(recipients.Select((recipient, i) => ChaosContext.RetryAsync(async () =>
        {
            var write = Stopwatch.StartNew();
            await Records(i % 2 == 0 ? 0 : 2).RemoveRecordAsync(new RemoveRecordRequest { Recipient = recipient, RecordId = ids[recipient] }, deadline: ChaosContext.Deadline());
            return write.Elapsed;
        })));
        output.WriteLine($"writes after the stop: longest {durations.Max().TotalSeconds:0.00} s");

        foreach (var survivor in new[] { 0, 2 })
        {
            var after = await PrometheusScrape.ReadAsync(http, Cluster.Silos[survivor].ManagementAddress!);
            Assert.Equal(0, Delta(before[survivor], after, "clearinghouse_cluster_deaths_declared_total"));
            Assert.Equal(0, Delta(before[survivor], after, "clearinghouse_recipient_cache_writes_held_after_death_total"));
            foreach (var recipient in recipients)
            {
                Assert.Equal(VerdictAction.Accept, (await Verdicts(survivor).CheckRecipientAsync(new CheckRecipientRequest { Recipient = recipient, Sender = Probe })).Action);
            }
        }
    }

    [Fact]
    public async Task With_a_bound_of_N_recipients_a_silo_holds_at_most_N_copies_while_10_N_recipients_are_checked()
    {
        const int gateway = 0;
        var recipients = NewRecipients("bound", LocalClusterFixture.CacheBound * 10);

        // Activated through the other gateways first, so that their grains live elsewhere: on an idle machine Orleans
        // places a grain on the silo that calls it first, and a grain active here is answered without a copy.
        foreach (var chunk in recipients.Chunk(100))
        {
            await Task.WhenAll(chunk.Select((recipient, i) => Verdicts(1 + (i % 2)).CheckRecipientAsync(new CheckRecipientRequest { Recipient = recipient, Sender = Probe }).ResponseAsync));
        }

        var address = Cluster.Silos[gateway].ManagementAddress!;
        var before = await PrometheusScrape.ReadAsync(http, address);
        var peak = 0.0;
        var checkedSoFar = 0;
        foreach (var chunk in recipients.Chunk(100))
        {
            await Task.WhenAll(chunk.Select(async recipient =>
                Assert.Equal(VerdictAction.Accept, (await Verdicts(gateway).CheckRecipientAsync(new CheckRecipientRequest { Recipient = recipient, Sender = Probe })).Action)));
            checkedSoFar += chunk.Length;
            peak = Math.Max(peak, (await PrometheusScrape.ReadAsync(http, address)).Sum("clearinghouse_recipient_cache_entries"));
        }

        var after = await PrometheusScrape.ReadAsync(http, address);
        Assert.Equal(recipients.Length, checkedSoFar);
        Assert.InRange(peak, 1, LocalClusterFixture.CacheBound);

        // A recipient whose grain lives on another silo was read and cached; one whose grain is here is answered from
        // the grain, not cached (placement decides how many: resource-optimised placement need not keep a grain where
        // it was first called). Each recipient is checked once, so copies leave only by eviction: of the copies read,
        // all but N were evicted, and enough were read to overrun the bound twice.
        var misses = Delta(before, after, "clearinghouse_recipient_cache_misses_total");
        var evictions = Delta(before, after, "clearinghouse_recipient_cache_evictions_total");
        Assert.True(misses >= 2 * LocalClusterFixture.CacheBound, $"{misses} reads");
        Assert.True(evictions >= misses - LocalClusterFixture.CacheBound, $"{evictions} evictions of {misses} reads");
    }

    [Fact]
    public async Task Hits_answered_from_every_silos_memory_reach_the_records_hit_count()
    {
        var recipient = NewRecipients("hits", 1)[0];
        await AddRejectsAsync([recipient], writer: 0);
        const int perSilo = 40;
        for (var silo = 0; silo < Cluster.Silos.Count; silo++)
        {
            for (var i = 0; i < perSilo; i++)
            {
                Assert.Equal(VerdictAction.Reject, (await Verdicts(silo).CheckRecipientAsync(new CheckRecipientRequest { Recipient = recipient, Sender = Probe })).Action);
            }
        }

        // Copies send their hits every second (the fixture's HitReportInterval).
        ulong counted = 0;
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline && counted < perSilo * 3)
        {
            await Task.Delay(500);
            counted = (await Records(1).ListRecordsAsync(new ListRecordsRequest { Recipient = recipient })).Records.Single().HitCount;
        }

        Assert.Equal((ulong)(perSilo * 3), counted);
    }

    [Fact]
    public async Task A_silo_stopped_cleanly_under_checks_loses_no_hit_its_copies_its_grains_or_the_other_silos_counted()
    {
        const int victim = 0;
        var recipients = NewRecipients("stophits", 24);
        await AddRejectsAsync(recipients, writer: 1);
        await WarmAsync(recipients); // each silo holds a copy of each recipient, or its grain

        // Warming checked each recipient once through each gateway: wait until the copies have reported those hits.
        var before = await Task.WhenAll(recipients.Select(HitCountAsync));
        for (var waited = Stopwatch.StartNew(); before.Any(n => n < (ulong)Cluster.Silos.Count) && waited.Elapsed < TimeSpan.FromSeconds(20);)
        {
            await Task.Delay(500);
            before = await Task.WhenAll(recipients.Select(HitCountAsync));
        }

        // Checks through every gateway keep tallying on copies and grains of the victim and of the others while the
        // victim stops; a check whose answer the caller did not get may or may not have been counted.
        var answered = new long[recipients.Length];
        var unsure = new long[recipients.Length];
        using var stop = new CancellationTokenSource();
        var stopping = 0;
        var checkers = Enumerable.Range(0, 6).Select(c => Task.Run(async () =>
        {
            var random = new Random(300 + c);
            while (!stop.IsCancellationRequested)
            {
                var i = random.Next(recipients.Length);

                // Once it is told to stop, the victim gets no new checks (a load balancer takes it out).
                var silo = c % Cluster.Silos.Count;
                if (silo == victim && Volatile.Read(ref stopping) == 1)
                {
                    silo = 1 + (c % (Cluster.Silos.Count - 1));
                }

                try
                {
                    var verdict = await Verdicts(silo).CheckRecipientAsync(new CheckRecipientRequest { Recipient = recipients[i], Sender = Probe }, deadline: ChaosContext.Deadline());
                    Assert.Equal(VerdictAction.Reject, verdict.Action);
                    Interlocked.Increment(ref answered[i]);
                }
                catch (RpcException)
                {
                    Interlocked.Increment(ref unsure[i]);
                }
            }
        })).ToList();

        await Task.Delay(TimeSpan.FromSeconds(3));
        Volatile.Write(ref stopping, 1);
        var terminated = await Cluster.Silos[victim].TerminateAsync(TimeSpan.FromSeconds(10));
        await Task.Delay(TimeSpan.FromSeconds(1));
        await stop.CancelAsync();
        await Task.WhenAll(checkers);
        Assert.True(terminated, "the victim did not exit within 10 s of SIGTERM");
        Assert.Equal(0, Cluster.Silos[victim].ExitCode);

        // The survivors' copies send theirs within the fixture's HitReportInterval (1 s); allow for a loaded machine.
        var counted = new long[recipients.Length];
        var settle = Stopwatch.StartNew();
        do
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            var now = await Task.WhenAll(recipients.Select(HitCountAsync));
            counted = now.Select((n, i) => (long)(n - before[i])).ToArray();
        }
        while (settle.Elapsed < TimeSpan.FromSeconds(20) && Enumerable.Range(0, recipients.Length).Any(i => counted[i] < answered[i]));

        output.WriteLine($"{answered.Sum()} rejects answered, {unsure.Sum()} unsure, {counted.Sum()} hits counted ({settle.Elapsed.TotalSeconds:0.0} s)");
        Assert.True(answered.Sum() > 200, $"only {answered.Sum()} checks answered");
        foreach (var silo in Cluster.Silos)
        {
            // What the silos said about failed hit reports and flushes, for a failure below.
            var lines = silo.RecentOutput.Split('\n');
            output.WriteLine(string.Join(Environment.NewLine, lines.Select((line, n) => (line, n)).Where(l => l.line.StartsWith("warn", StringComparison.Ordinal) || l.line.StartsWith("fail", StringComparison.Ordinal)).SelectMany(l => lines.Skip(l.n).Take(3))));
        }

        var wrong = Enumerable.Range(0, recipients.Length)
            .Where(i => counted[i] < answered[i] || counted[i] > answered[i] + unsure[i])
            .Select(i => $"{recipients[i]}: {answered[i]} rejects answered, {unsure[i]} unsure, {counted[i]} hits counted")
            .ToList();
        Assert.True(wrong.Count == 0, string.Join(Environment.NewLine, wrong));
    }

    private async Task<ulong> HitCountAsync(string recipient) =>
        (await ChaosContext.RetryAsync(async () => await Records(1).ListRecordsAsync(new ListRecordsRequest { Recipient = recipient }, deadline: ChaosContext.Deadline()))).Records.Single().HitCount;

    private static string[] NewRecipients(string prefix, int count)
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        return Enumerable.Range(0, count).Select(i => $"{prefix}-{run}-{i}@{HarnessTenant.Domain}").ToArray();
    }

    private Records.RecordsClient Records(int silo) => new(Cluster.Invokers[silo]);

    private Verdicts.VerdictsClient Verdicts(int silo) => new(Cluster.Invokers[silo]);

    /// <summary>
    /// Checks every recipient through every gateway, so that each silo holds a copy or the grain itself; a recipient not
    /// yet active is first checked through a different silo each time (a grain is placed where it is first called).
    /// </summary>
    private async Task WarmAsync(IReadOnlyList<string> recipients)
    {
        for (var i = 0; i < recipients.Count; i++)
        {
            for (var step = 0; step < Cluster.Silos.Count; step++)
            {
                var silo = (i + step) % Cluster.Silos.Count;
                await ChaosContext.RetryAsync(async () => await Verdicts(silo).CheckRecipientAsync(new CheckRecipientRequest { Recipient = recipients[i], Sender = Probe }, deadline: ChaosContext.Deadline()));
            }
        }
    }

    private async Task<Dictionary<string, string>> AddRejectsAsync(IEnumerable<string> recipients, int writer)
    {
        var ids = new Dictionary<string, string>();
        foreach (var recipient in recipients)
        {
            var added = await ChaosContext.RetryAsync(async () => await Records(writer).AddRecordAsync(new AddRecordRequest { Recipient = recipient, Pattern = Probe, Action = RecordAction.Reject }, deadline: ChaosContext.Deadline()));
            ids[recipient] = added.Record.Id;
        }

        return ids;
    }

    /// <summary>
    /// Rounds of: a check through every gateway, a write (adding or removing the probe's reject record) through a
    /// random gateway, then a check through each other gateway, which must see the write. Returns the stale answers.
    /// </summary>
    private async Task<List<string>> WriteThenCheckAsync(string[] recipients, int rounds, Random random)
    {
        var records = new Dictionary<string, string?>();
        var stale = new List<string>();
        for (var round = 0; round < rounds; round++)
        {
            var recipient = recipients[random.Next(recipients.Length)];
            records.TryGetValue(recipient, out var recordId);
            var writer = random.Next(Cluster.Silos.Count);
            for (var silo = 0; silo < Cluster.Silos.Count; silo++)
            {
                await Expect(silo, recordId is null ? VerdictAction.Accept : VerdictAction.Reject, "before");
            }

            if (recordId is null)
            {
                records[recipient] = (await Records(writer).AddRecordAsync(new AddRecordRequest { Recipient = recipient, Pattern = Probe, Action = RecordAction.Reject })).Record.Id;
            }
            else
            {
                Assert.True((await Records(writer).RemoveRecordAsync(new RemoveRecordRequest { Recipient = recipient, RecordId = recordId })).Removed);
                records[recipient] = null;
            }

            foreach (var other in Enumerable.Range(0, Cluster.Silos.Count).Where(s => s != writer))
            {
                await Expect(other, records[recipient] is null ? VerdictAction.Accept : VerdictAction.Reject, $"after a write through silo {writer}");
            }

            async Task Expect(int silo, VerdictAction expected, string when)
            {
                var verdict = await Verdicts(silo).CheckRecipientAsync(new CheckRecipientRequest { Recipient = recipient, Sender = Probe });
                if (verdict.Action != expected)
                {
                    stale.Add($"round {round}, {recipient} through silo {silo} {when}: {verdict.Action}, expected {expected}");
                }
            }
        }

        return stale;
    }

    private async Task<PrometheusScrape[]> ScrapeAllAsync() =>
        await Task.WhenAll(Cluster.Silos.Select(s => PrometheusScrape.ReadAsync(http, s.ManagementAddress!)));

    private static double Delta(PrometheusScrape before, PrometheusScrape after, string metric) => after.Sum(metric) - before.Sum(metric);
}
