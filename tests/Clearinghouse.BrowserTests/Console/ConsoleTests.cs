using Clearinghouse.Api.V1;
using static Microsoft.Playwright.Assertions;

namespace Clearinghouse.BrowserTests;

/// <summary>
/// The operators' console in Debian's chromium: what operators do there, that it goes through the operator API (and
/// is audited), and that the server, not the page, refuses what a viewer or a forged form tries. Each test uses its
/// own senders; no test leaves the thresholds changed.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class ConsoleTests(ConsoleFixture fixture)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task An_operator_logs_in_with_the_configured_password_and_a_wrong_one_is_refused()
    {
        await using var session = await fixture.NewSessionAsync();
        await session.Page.GotoAsync("/");
        Assert.Contains("/login", session.Page.Url);

        await session.LogInAsync("alice", "not-the-password");
        await Expect(session.Page.Locator(".notice.error")).ToContainTextAsync("Wrong operator name or password");
        // The refused login is answered 401, which the browser reports; nothing else may have gone wrong.
        Assert.All(session.Problems, problem => Assert.Contains("status of 401", problem));
        var refusedLogins = session.Problems.Count;

        await session.LogInAsync("alice", ConsoleFixture.AlicePassword);
        await Expect(session.Page.Locator("h1")).ToHaveTextAsync("Overview");
        await Expect(session.Page.Locator("header .who")).ToContainTextAsync("alice (administrator)");
        Assert.Equal(refusedLogins, session.Problems.Count);
    }

    [Fact]
    public async Task Reports_from_two_providers_bring_the_sender_onto_the_live_overview_and_the_senders_page()
    {
        await using var session = await fixture.LogInAsync("alice", ConsoleFixture.AlicePassword);
        var page = session.Page;
        await Expect(page.Locator("#live-status")).ToHaveTextAsync("live", new() { Timeout = 10_000 });
        // Marks this document (a reload would lose the mark) and records every violation rate the page shows: the rate
        // covers the last five seconds, so on a slow machine it may be back to 0 by the time the sender is ranked.
        await page.EvaluateAsync("""
            () => {
              window.stillTheSamePage = true;
              window.violationRatesShown = [];
              const tile = document.querySelector('[data-field=violations]');
              new MutationObserver(() => window.violationRatesShown.push(tile.textContent)).observe(tile, { childList: true, characterData: true, subtree: true });
            }
            """);

        var sender = $"overview-{Guid.NewGuid():N}"[..17] + "@bulk-live.example";
        await fixture.ReportAsync(sender);

        var row = page.Locator("#senders-body tr", new() { HasText = sender });
        await Expect(row).ToBeVisibleAsync(new() { Timeout = 20_000 });
        Assert.True(await page.EvaluateAsync<bool>("() => window.stillTheSamePage === true"));
        await Expect(row.Locator("td").Nth(3)).ToHaveTextAsync("6");
        await Expect(row.Locator("td").Nth(4)).ToHaveTextAsync("2");
        await page.WaitForFunctionAsync("() => window.violationRatesShown.some(rate => Number(rate) > 0)", null, new() { Timeout = 20_000 });
        await session.ScreenshotAsync("overview-live");

        await page.GotoAsync($"/senders?q={Uri.EscapeDataString(sender)}");
        var listed = page.Locator("table tbody tr", new() { HasText = sender });
        await Expect(listed).ToBeVisibleAsync();
        await Expect(listed.Locator("td").Nth(4)).ToHaveTextAsync("6");
        await Expect(listed.Locator("td").Nth(6)).ToHaveTextAsync("2");
        await Expect(listed.Locator("td").Nth(7)).ToHaveTextAsync("acme, other");
        await session.ScreenshotAsync("senders");
        Assert.Empty(session.Problems);
    }

    [Fact]
    public async Task A_threshold_change_is_in_the_audit_log_under_the_operators_name()
    {
        var before = await fixture.Host.Operator().GetThresholdsAsync(new GetThresholdsRequest());
        await using var session = await fixture.LogInAsync("alice", ConsoleFixture.AlicePassword);
        var page = session.Page;
        try
        {
            await page.GotoAsync("/thresholds");
            await page.FillAsync("#absolute_threshold", "4");
            await page.ClickAsync("form[action='/thresholds'] button[type=submit]");
            await Expect(page.Locator(".notice.ok")).ToContainTextAsync("Thresholds changed");
            Assert.Equal(4u, (await fixture.Host.Operator().GetThresholdsAsync(new GetThresholdsRequest())).AbsoluteThreshold);
            await session.ScreenshotAsync("thresholds");

            await page.GotoAsync("/audit?action=thresholds.set&actor=operator:alice");
            var entry = page.Locator("table.audit tbody tr").First;
            await Expect(entry).ToContainTextAsync("operator:alice");
            await Expect(entry).ToContainTextAsync("thresholds.set");
            await Expect(entry).ToContainTextAsync($"before.absolute_threshold = {before.AbsoluteThreshold}");
            await Expect(entry).ToContainTextAsync("after.absolute_threshold = 4");
            await session.ScreenshotAsync("audit");
        }
        finally
        {
            await fixture.Host.Operator().SetThresholdsAsync(before);
        }

        Assert.Empty(session.Problems);
    }

    [Fact]
    public async Task Delisting_a_sender_on_its_page_sends_a_remove_to_filter_list_subscribers()
    {
        var sender = $"delist-{Guid.NewGuid():N}"[..15] + "@bulk-delist.example";
        await fixture.ReportAsync(sender);
        await fixture.WaitUntilListedAsync(sender);
        var version = (await fixture.Host.FilterList().GetSnapshotAsync(new GetFilterListSnapshotRequest())).Version;
        await using var subscriber = FilterListSubscriber.Start(fixture.Host.FilterList(), version);

        await using var session = await fixture.LogInAsync("alice", ConsoleFixture.AlicePassword);
        var page = session.Page;
        await page.GotoAsync($"/senders/view?address={Uri.EscapeDataString(sender)}");
        await Expect(page.Locator("dl.facts")).ToContainTextAsync("listed");
        await Expect(page.Locator("#authentication")).ToContainTextAsync("0 verified, 6 unverified, 0 forged");
        await Expect(page.Locator("#domain-forgery")).ToContainTextAsync("0 forged reports");
        await session.ScreenshotAsync("sender");
        await page.FillAsync("form[action='/senders/delist'] #reason", "the sender proved it stopped");
        await page.ClickAsync("form[action='/senders/delist'] button[type=submit]");
        await Expect(page.Locator(".notice.ok")).ToContainTextAsync("is delisted");

        var hash = ConsoleFixture.Sha256(sender);
        await subscriber.WaitForAsync(updates => updates.Any(u => u.Change is { Op: FilterChangeOp.Remove } change && change.Value == hash), Patience);
        var remove = subscriber.Changes.Single(c => c.Value == hash);
        Assert.Equal("the sender proved it stopped", remove.Reason);
        await Expect(page.Locator("dl.facts")).ToContainTextAsync("delisted");
        await Expect(page.Locator("table.audit")).ToContainTextAsync("sender.delist");
        Assert.Empty(session.Problems);
    }

    [Fact]
    public async Task Delisting_requests_are_approved_and_refused_with_a_reason_and_only_the_approved_one_leaves_the_list()
    {
        var tag = $"{Guid.NewGuid():N}"[..12];
        var (approved, refused) = ($"approve-{tag}.example", $"refuse-{tag}.example");
        foreach (var domain in new[] { approved, refused })
        {
            await fixture.Host.Operator().ListEntryAsync(new ListEntryRequest { Kind = FilterEntryKind.Domain, Value = domain, Reason = "listed for the review test" });
        }

        var version = (await fixture.Host.FilterList().GetSnapshotAsync(new GetFilterListSnapshotRequest())).Version;
        await using var subscriber = FilterListSubscriber.Start(fixture.Host.FilterList(), version);
        var approveId = await fixture.RequestDelistingAsync(approved);
        var refuseId = await fixture.RequestDelistingAsync(refused);

        await using var session = await fixture.LogInAsync("alice", ConsoleFixture.AlicePassword);
        var page = session.Page;
        await page.GotoAsync("/delisting");
        await Expect(page.Locator("main")).ToContainTextAsync($"_clearinghouse-delist.{approved}");
        await session.ScreenshotAsync("delisting-review");

        var approve = page.Locator($"form[action='/delisting/approve']:has(input[name=request_id][value='{approveId}'])");
        await approve.Locator("input[name=reason]").FillAsync("the owner showed its new list hygiene");
        await approve.Locator("button[type=submit]").ClickAsync();
        await Expect(page.Locator(".notice.ok")).ToContainTextAsync($"The request for {approved} is approved");

        var refuse = page.Locator($"form[action='/delisting/refuse']:has(input[name=request_id][value='{refuseId}'])");
        await refuse.Locator("input[name=reason]").FillAsync("the TXT record was published by a reseller, not the owner");
        await refuse.Locator("button[type=submit]").ClickAsync();
        await Expect(page.Locator(".notice.ok")).ToContainTextAsync($"The request for {refused} is refused");
        await Expect(page.Locator("main")).Not.ToContainTextAsync(approveId);
        await Expect(page.Locator("main")).Not.ToContainTextAsync(refuseId);

        // Subscribers get the approved domain's remove, naming the request, the operator and its reason; the refused
        // domain stays listed.
        await subscriber.WaitForAsync(updates => updates.Any(u => u.Change is { Op: FilterChangeOp.Remove } change && change.Value == approved), Patience);
        Assert.Equal($"delisting request {approveId} approved by operator alice: the owner showed its new list hygiene", subscriber.Changes.Single(c => c.Value == approved).Reason);
        Assert.DoesNotContain(subscriber.Changes, c => c.Value == refused);
        var listed = (await fixture.Host.FilterList().GetSnapshotAsync(new GetFilterListSnapshotRequest())).Entries.Select(e => e.Value).ToList();
        Assert.Contains(refused, listed);
        Assert.DoesNotContain(approved, listed);

        // Both decisions are in the audit trail under the operator's name, with its reason.
        var operators = fixture.Host.Operator();
        var approval = (await operators.ListAuditAsync(new ListAuditRequest { Target = $"domain:{approved}", Action = "delisting.approved" })).Entries.Single();
        var refusal = (await operators.ListAuditAsync(new ListAuditRequest { Target = $"domain:{refused}", Action = "delisting.refused" })).Entries.Single();
        Assert.Equal(("operator:alice", "the owner showed its new list hygiene"), (approval.Actor, approval.Reason));
        Assert.Equal(("operator:alice", "the TXT record was published by a reseller, not the owner"), (refusal.Actor, refusal.Reason));
        Assert.DoesNotContain((await operators.ListDelistingRequestsAsync(new ListDelistingRequestsRequest())).Requests, r => r.RequestId == approveId || r.RequestId == refuseId);
        Assert.Empty(session.Problems);
    }

    [Fact]
    public async Task A_dead_letter_is_sent_again_to_the_local_receiver()
    {
        var sender = $"dead-{Guid.NewGuid():N}"[..13] + "@bulk-dead.example";
        await fixture.ReportAsync(sender);
        await fixture.WaitUntilListedAsync(sender);
        var caseId = (await fixture.Host.Operator().GetSenderAsync(new GetSenderRequest { Sender = sender })).CaseId;
        var deliveryId = $"{caseId}/{ConsoleFixture.Destination}";
        await WaitForDeliveryAsync(deliveryId, DeliveryStatus.DeadLetter);

        await using var session = await fixture.LogInAsync("alice", ConsoleFixture.AlicePassword);
        var page = session.Page;
        await page.GotoAsync("/escalations?status=dead_letter");
        var row = page.Locator($"tr[data-delivery='{deliveryId}']");
        await Expect(row).ToContainTextAsync("dead letter");
        await Expect(row).ToContainTextAsync("422");
        await session.ScreenshotAsync("escalations");

        fixture.Receiver.Respond = (_, _) => 200;
        await row.Locator("input[name=reason]").FillAsync("the receiver is fixed");
        await row.Locator("button[type=submit]").ClickAsync();
        await Expect(page.Locator(".notice.ok")).ToContainTextAsync("queued again");

        await fixture.Receiver.WaitUntilAsync(received => received.Any(r => r.Status == 200 && r.Header("Idempotency-Key") == deliveryId), Patience);
        var delivered = await WaitForDeliveryAsync(deliveryId, DeliveryStatus.Delivered);
        Assert.Equal(1u, delivered.Resends);
        await page.GotoAsync("/escalations");
        await Expect(page.Locator($"tr[data-delivery='{deliveryId}']")).ToContainTextAsync("delivered");
        var audit = await fixture.Host.Operator().ListAuditAsync(new ListAuditRequest { Action = "escalation.resend", Target = $"delivery:{deliveryId}" });
        Assert.Equal(("operator:alice", "the receiver is fixed"), (audit.Entries.Single().Actor, audit.Entries.Single().Reason));
        Assert.Empty(session.Problems);
    }

    [Fact]
    public async Task A_viewer_sees_no_forms_and_the_server_refuses_its_changes()
    {
        var sender = $"viewer-{Guid.NewGuid():N}"[..15] + "@bulk-viewer.example";
        await fixture.ReportAsync(sender);
        await fixture.WaitUntilListedAsync(sender);
        var thresholds = await fixture.Host.Operator().GetThresholdsAsync(new GetThresholdsRequest());
        var listVersion = (await fixture.Host.FilterList().GetSnapshotAsync(new GetFilterListSnapshotRequest())).Version;

        await using var session = await fixture.LogInAsync("victor", ConsoleFixture.ViewerPassword);
        var page = session.Page;
        await Expect(page.Locator("header .who")).ToContainTextAsync("victor (viewer)");
        foreach (var path in new[] { "/thresholds", $"/senders/view?address={Uri.EscapeDataString(sender)}", "/filter-list", "/escalations", "/delisting" })
        {
            await page.GotoAsync(path);
            Assert.Equal(0, await page.Locator("main form[method=post]").CountAsync());
        }

        // The viewer's own session and a valid token: the forms a page would have posted, forged by hand.
        var token = await session.CsrfTokenAsync();
        var attempts = new (string Path, Dictionary<string, string> Fields)[]
        {
            ("/thresholds", new() { ["mode"] = "absolute", ["absolute_threshold"] = "9", ["rank_divisor"] = "100", ["minimum_providers"] = "3" }),
            ("/senders/delist", new() { ["address"] = sender, ["reason"] = "viewer" }),
            ("/filter-list/add", new() { ["kind"] = "domain", ["value"] = "viewer-listed.example", ["reason"] = "viewer" }),
            ("/escalations/resend", new() { ["delivery_id"] = "case-x/authority", ["reason"] = "viewer" }),
        };
        foreach (var (path, fields) in attempts)
        {
            fields["__csrf"] = token;
            var response = await session.PostFormAsync(path, fields);
            Assert.Equal(403, response.Status);
            Assert.Contains("viewer", await response.TextAsync());
        }

        Assert.Equal(thresholds, await fixture.Host.Operator().GetThresholdsAsync(new GetThresholdsRequest()));
        Assert.Equal(EscalationState.Listed, (await fixture.Host.Operator().GetSenderAsync(new GetSenderRequest { Sender = sender })).State);
        Assert.Equal(listVersion, (await fixture.Host.FilterList().GetSnapshotAsync(new GetFilterListSnapshotRequest())).Version);
        Assert.DoesNotContain((await fixture.Host.Operator().ListAuditAsync(new ListAuditRequest { Actor = "operator:victor" })).Entries, e => e.Action != "console.login");
    }

    [Fact]
    public async Task Repeated_failed_logins_lock_the_account_out_even_for_the_right_password()
    {
        await using var session = await fixture.NewSessionAsync();
        for (var i = 1; i < ConsoleFixture.MaxFailedLogins; i++)
        {
            await session.LogInAsync("locky", $"wrong-{i}");
            await Expect(session.Page.Locator(".notice.error")).ToContainTextAsync("Wrong operator name or password");
        }

        await session.LogInAsync("locky", "wrong-last");
        await Expect(session.Page.Locator(".notice.error")).ToContainTextAsync("locked");
        await session.LogInAsync("locky", ConsoleFixture.LockyPassword);
        await Expect(session.Page.Locator(".notice.error")).ToContainTextAsync("locked");
        Assert.Contains("/login", session.Page.Url);
        await session.ScreenshotAsync("login-locked");

        var lockout = await fixture.Host.Operator().ListAuditAsync(new ListAuditRequest { Action = "console.lockout", Target = "operator:locky" });
        Assert.Single(lockout.Entries);
        // Another account is not affected.
        await using var alice = await fixture.LogInAsync("alice", ConsoleFixture.AlicePassword);
    }

    [Fact]
    public async Task A_forged_form_without_its_csrf_token_is_refused_and_changes_nothing()
    {
        var thresholds = await fixture.Host.Operator().GetThresholdsAsync(new GetThresholdsRequest());
        await using var session = await fixture.LogInAsync("alice", ConsoleFixture.AlicePassword);
        var changed = new Dictionary<string, string> { ["mode"] = "absolute", ["absolute_threshold"] = "8", ["rank_divisor"] = "100", ["minimum_providers"] = "3" };

        var withoutToken = await session.PostFormAsync("/thresholds", changed);
        Assert.Equal(400, withoutToken.Status);
        Assert.Contains("security token", await withoutToken.TextAsync());

        var wrongToken = await session.PostFormAsync("/thresholds", new Dictionary<string, string>(changed) { ["__csrf"] = "CfDJ8-forged-token" });
        Assert.Equal(400, wrongToken.Status);

        // A token from another operator's session does not fit this one.
        await using var other = await fixture.LogInAsync("victor", ConsoleFixture.ViewerPassword);
        var foreign = await session.PostFormAsync("/thresholds", new Dictionary<string, string>(changed) { ["__csrf"] = await other.CsrfTokenAsync() });
        Assert.Equal(400, foreign.Status);

        Assert.Equal(thresholds, await fixture.Host.Operator().GetThresholdsAsync(new GetThresholdsRequest()));
        Assert.Empty((await fixture.Host.Operator().ListAuditAsync(new ListAuditRequest { Action = "thresholds.set", Since = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTime(DateTime.UtcNow.AddSeconds(-30)) })).Entries);
    }

    [Fact]
    public async Task No_page_shows_a_recipient_address_and_each_page_is_captured()
    {
        var sender = $"pages-{Guid.NewGuid():N}"[..14] + "@bulk-pages.example";
        await fixture.ReportAsync(sender);
        await fixture.WaitUntilListedAsync(sender);
        await using var session = await fixture.LogInAsync("alice", ConsoleFixture.AlicePassword);
        var page = session.Page;
        await Expect(page.Locator("#senders-body")).ToContainTextAsync(sender, new() { Timeout = 20_000 });

        var pages = new (string Path, string Name)[]
        {
            ("/", "overview"),
            ("/senders", "senders-ranked"),
            ($"/senders?q={Uri.EscapeDataString("bulk-pages.example")}", "senders-search"),
            ($"/senders/view?address={Uri.EscapeDataString(sender)}", "sender-page"),
            ("/escalations", "escalations-all"),
            ("/filter-list", "filter-list"),
            ($"/filter-list?q={Uri.EscapeDataString(sender)}", "filter-list-search"),
            ("/thresholds", "thresholds-page"),
            ("/audit", "audit-log"),
            ("/delisting", "delisting-requests"),
            ("/cluster", "cluster"),
        };
        Assert.NotEmpty(fixture.Recipients);
        foreach (var (path, name) in pages)
        {
            var response = await page.GotoAsync(path);
            Assert.Equal(200, response!.Status);
            if (path == "/")
            {
                await Expect(page.Locator("#live-status")).ToHaveTextAsync("live", new() { Timeout = 10_000 });
            }

            await session.ScreenshotAsync(name);
            var html = await page.ContentAsync();
            var source = await response.TextAsync();
            foreach (var recipient in fixture.Recipients)
            {
                Assert.DoesNotContain(recipient, html, StringComparison.OrdinalIgnoreCase);
                Assert.DoesNotContain(recipient, source, StringComparison.OrdinalIgnoreCase);
            }
        }

        // The sender's page and a search for it find it (so the pages did have the data the recipients belong to).
        await page.GotoAsync($"/filter-list?q={Uri.EscapeDataString(sender)}");
        await Expect(page.Locator("main table").First).ToContainTextAsync(ConsoleFixture.Sha256(sender));
        Assert.Empty(session.Problems);
    }

    [Fact]
    public async Task The_Orleans_dashboard_is_behind_the_same_login()
    {
        await using var anonymous = await fixture.NewSessionAsync();
        var refused = await anonymous.Context.APIRequest.GetAsync("/cluster/orleans/", new() { MaxRedirects = 0 });
        Assert.Equal(302, refused.Status);
        Assert.Contains("/login", refused.Headers["location"]);
        var api = await anonymous.Context.APIRequest.GetAsync("/cluster/orleans/ClusterStats", new() { MaxRedirects = 0 });
        Assert.NotEqual(200, api.Status);

        await using var session = await fixture.LogInAsync("victor", ConsoleFixture.ViewerPassword);
        await session.Page.GotoAsync("/cluster");
        await session.ScreenshotAsync("cluster-page");
        await session.Page.ClickAsync("a[href='/cluster/orleans/']");
        await Expect(session.Page).ToHaveTitleAsync("Orleans Dashboard");
        await Expect(session.Page.Locator("#menu")).Not.ToBeEmptyAsync(new() { Timeout = 20_000 });
        await session.ScreenshotAsync("orleans-dashboard");
        var stats = await session.Context.APIRequest.GetAsync("/cluster/orleans/ClusterStats");
        Assert.Equal(200, stats.Status);
    }

    private async Task<Delivery> WaitForDeliveryAsync(string deliveryId, DeliveryStatus status)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var deliveries = await fixture.Host.Operator().ListDeliveriesAsync(new ListDeliveriesRequest { Status = status, Limit = 1000 });
            if (deliveries.Deliveries.FirstOrDefault(d => d.DeliveryId == deliveryId) is { } found)
            {
                return found;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{deliveryId} did not become {status}");
            }

            await Task.Delay(50);
        }
    }
}
