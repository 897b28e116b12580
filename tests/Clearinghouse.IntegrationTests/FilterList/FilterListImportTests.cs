using Clearinghouse.Api.V1;
using Grpc.Core;

namespace Clearinghouse.IntegrationTests;

/// <summary>
/// An operator's bulk import into the filter list (<c>Operator/ImportEntries</c>): every entry listed once, a call sent
/// again lists nothing twice, a bad entry refuses the whole call naming it, one audit entry per call, and a subscriber
/// sees every imported entry as an ordinary change. (A viewer is refused by <c>OperatorRoleTests</c>' probe.)
/// </summary>
[Collection(HostCollection.Name)]
public class FilterListImportTests(HostFixture fixture)
{
    [Fact]
    public async Task An_import_lists_every_entry_once_and_sent_again_lists_nothing_twice()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var request = new ImportEntriesRequest();
        request.Entries.AddRange(Enumerable.Range(0, 2500).Select(i => new ListEntryRequest { Kind = FilterEntryKind.Domain, Value = $"imp{i}-{run}.example", Reason = "imported" }));
        request.Entries.Add(new ListEntryRequest { Kind = FilterEntryKind.Ip, Value = "198.51.100.0/24", Reason = "imported network" });
        request.Entries.Add(new ListEntryRequest { Kind = FilterEntryKind.Domain, Value = $"IMP7-{run}.example" }); // the same entry as imp7, written otherwise
        var operators = fixture.Host.Operator();
        var before = (await fixture.Host.FilterList().GetSnapshotAsync(new GetFilterListSnapshotRequest())).Version;

        var first = await operators.ImportEntriesAsync(request);

        Assert.Equal(request.Entries.Count, first.Entries.Count);
        Assert.False(first.Entries[^1].Changed);
        Assert.Equal($"imp7-{run}.example", first.Entries[^1].Value);
        var listedNow = (uint)first.Entries.Count(e => e.Changed);
        Assert.Equal(listedNow, first.Listed);
        Assert.Equal((uint)request.Entries.Count - listedNow, first.Unchanged);
        Assert.True(listedNow >= 2500, $"{listedNow} listed"); // the network may be listed by another test already
        Assert.Equal(first.Entries.Where(e => e.Changed).Select(e => e.Version), first.Entries.Where(e => e.Changed).Select(e => e.Version).Order());
        Assert.All(first.Entries.Where(e => e.Changed), e => Assert.Equal(first.CaseId, e.CaseId));
        Assert.True(first.Version > before);

        var audit = await operators.ListAuditAsync(new ListAuditRequest { PageSize = 5 });
        var entry = Assert.Single(audit.Entries, e => e.Action == "filterlist.import" && e.Details["case"] == first.CaseId);
        Assert.Equal(listedNow.ToString(System.Globalization.CultureInfo.InvariantCulture), entry.Details["listed"]);

        var again = await operators.ImportEntriesAsync(request);
        Assert.Equal(0u, again.Listed);
        Assert.Equal((uint)request.Entries.Count, again.Unchanged);
        Assert.All(again.Entries, e => Assert.False(e.Changed));

        var snapshot = await fixture.Host.FilterList().GetSnapshotAsync(new GetFilterListSnapshotRequest());
        var listed = snapshot.Entries.Where(e => e.Value.EndsWith($"-{run}.example", StringComparison.Ordinal)).ToList();
        Assert.Equal(2500, listed.Count);
        Assert.Equal(2500, listed.Select(e => e.Value).Distinct().Count());

        // The gateway's replica follows the import as ordinary changes: checks refuse the imported domains.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        VerdictAction action;
        do
        {
            action = (await fixture.Host.Verdicts().CheckRecipientAsync(new CheckRecipientRequest { Recipient = $"someone@{TestTenants.AcmeDomain}", Sender = $"x@imp2499-{run}.example" })).Action;
        }
        while (action == VerdictAction.Accept && DateTime.UtcNow < deadline && await Task.Delay(50).ContinueWith(_ => true));

        Assert.NotEqual(VerdictAction.Accept, action);
    }

    [Fact]
    public async Task A_bad_entry_refuses_the_whole_import_naming_it_and_nothing_is_listed()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var operators = fixture.Host.Operator();
        var list = fixture.Host.FilterList();
        var before = (await list.GetSnapshotAsync(new GetFilterListSnapshotRequest())).Version;
        var audit = (await operators.ListAuditAsync(new ListAuditRequest { PageSize = 1 })).Entries.FirstOrDefault()?.Sequence;

        foreach (var (bad, field) in new[]
        {
            (new ListEntryRequest { Kind = FilterEntryKind.Domain, Value = "com" }, "entries[2].value"),
            (new ListEntryRequest { Kind = FilterEntryKind.Ip, Value = "10.0.0.0/7" }, "entries[2].value"),
            (new ListEntryRequest { Kind = FilterEntryKind.AddressSha256, Value = "someone@bad.example" }, "entries[2].kind"),
            (new ListEntryRequest { Kind = FilterEntryKind.Domain, Value = $"fine-{run}.example", Reason = new string('r', 451) }, "entries[2].reason"),
        })
        {
            var request = new ImportEntriesRequest();
            request.Entries.Add(new ListEntryRequest { Kind = FilterEntryKind.Domain, Value = $"good0-{run}.example" });
            request.Entries.Add(new ListEntryRequest { Kind = FilterEntryKind.Domain, Value = $"good1-{run}.example" });
            request.Entries.Add(bad);
            var error = await Assert.ThrowsAsync<RpcException>(() => operators.ImportEntriesAsync(request).ResponseAsync);
            Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
            Assert.StartsWith(field + ":", error.Status.Detail);
        }

        var tooMany = new ImportEntriesRequest();
        tooMany.Entries.AddRange(Enumerable.Range(0, 10_001).Select(i => new ListEntryRequest { Kind = FilterEntryKind.Domain, Value = $"many{i}-{run}.example" }));
        var limit = await Assert.ThrowsAsync<RpcException>(() => operators.ImportEntriesAsync(tooMany).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, limit.StatusCode);
        Assert.StartsWith("entries:", limit.Status.Detail);
        var none = await Assert.ThrowsAsync<RpcException>(() => operators.ImportEntriesAsync(new ImportEntriesRequest()).ResponseAsync);
        Assert.StartsWith("entries:", none.Status.Detail);

        Assert.Equal(before, (await list.GetSnapshotAsync(new GetFilterListSnapshotRequest())).Version);
        Assert.Equal(audit, (await operators.ListAuditAsync(new ListAuditRequest { PageSize = 1 })).Entries.FirstOrDefault()?.Sequence);
    }

    [Fact]
    public async Task A_subscriber_sees_every_imported_entry_as_a_change()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var from = (await fixture.Host.FilterList().GetSnapshotAsync(new GetFilterListSnapshotRequest())).Version;
        await using var subscriber = FilterListSubscriber.Start(fixture.Host.FilterList(), from);
        var request = new ImportEntriesRequest();
        request.Entries.AddRange(Enumerable.Range(0, 1500).Select(i => new ListEntryRequest { Kind = FilterEntryKind.Domain, Value = $"sub{i}-{run}.example" }));

        var imported = await fixture.Host.Operator().ImportEntriesAsync(request);

        Assert.Equal(1500u, imported.Listed);
        await subscriber.WaitForAsync(_ => subscriber.Changes.Count(c => c.Value.EndsWith($"-{run}.example", StringComparison.Ordinal)) == 1500, TimeSpan.FromSeconds(30));
        var seen = subscriber.Changes.Where(c => c.CaseId == imported.CaseId).ToList();
        Assert.Equal(request.Entries.Select(e => e.Value), seen.Select(c => c.Value));
        Assert.Equal(imported.Entries.Select(e => e.Version), seen.Select(c => c.Version));
    }
}
