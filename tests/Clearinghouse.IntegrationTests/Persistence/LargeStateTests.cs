using Clearinghouse.Api.V1;
using Clearinghouse.Contracts;
using Clearinghouse.Domain;
using Clearinghouse.Grains;
using Clearinghouse.Grains.FilterList;
using Clearinghouse.Silo.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using BlockingRecord = Clearinghouse.Domain.BlockingRecord;
using FilterChangeOp = Clearinghouse.Domain.FilterChangeOp;
using MessageChannel = Clearinghouse.Domain.MessageChannel;
using RecordAction = Clearinghouse.Domain.RecordAction;
using RecordSource = Clearinghouse.Domain.RecordSource;
using VerdictAction = Clearinghouse.Api.V1.VerdictAction;

namespace Clearinghouse.IntegrationTests;

/// <summary>
/// The largest states the system allows, on the Azure Storage profile, where a table entity holds at most 1 MB: a
/// recipient whose blocking and allow lists are both at the largest maximum (100,000 each, every message at its longest)
/// and a filter list of 100,000 entries. Each is seeded through the grain storage provider (building it with the API
/// would take 100,000 writes), then changed once through the API, and read back by a second host after a restart: the
/// recipient's grain writes its whole state, the filter list moves into segments and writes the change alone.
/// </summary>
[Collection(AzuriteCollection.Name)]
public class LargeStateTests(AzuriteFixture azurite)
{
    private const int TableEntityLimit = 1 << 20;

    // Loading or writing a state of several megabytes can take longer than the gateway's grain-call bound on a busy
    // machine (the caller would get DEADLINE_EXCEEDED and retry); what is tested here is the size, not the latency.
    private Dictionary<string, string?> LargeStateSettings(string name)
    {
        var settings = azurite.HostSettings(name);
        settings["Clearinghouse:Gateway:GrainCallTimeout"] = "00:01:00";
        settings["Clearinghouse:Gateway:WriteCallTimeout"] = "00:01:00";
        return settings;
    }

    [Fact]
    public async Task A_recipient_with_both_lists_at_the_largest_maximum_is_stored_in_a_blob_and_survives_a_restart()
    {
        var settings = LargeStateSettings("full-recipient");
        settings["Clearinghouse:Providers:acme:MaxRecordsPerRecipient"] = ListLimits.MaxRecords.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var recipient = $"full@{TestTenants.AcmeDomain}";
        var message = new string('m', ReplyText.MaxLength);
        string addedId;

        await using (var first = await ClearinghouseTestHost.StartAsync(settings))
        {
            var grainId = first.Services.GetRequiredService<IGrainFactory>().GetGrain<IRecipient>(TestTenants.RecipientKey(recipient)).GetGrainId();
            await Storage(first).WriteStateAsync("recipient", grainId, new GrainState<RecipientState>(FullRecipient(message)));

            var info = await first.RecipientLists().GetListInfoAsync(new GetListInfoRequest { Recipient = recipient });
            Assert.Equal((100_000u, 100_000u, 100_000u), (info.MaxRecords, info.BlockingRecords, info.AllowRecords));

            // One more blocking record: the full list evicts one, and the grain writes its whole state.
            var added = await first.Records().AddRecordAsync(new AddRecordRequest { Recipient = recipient, Pattern = "newest@spam.example", Action = Api.V1.RecordAction.Reject, Message = "the newest" });
            addedId = added.Record.Id;
            var full = await first.RecipientLists().GetListInfoAsync(new GetListInfoRequest { Recipient = recipient });
            Assert.Equal((100_000u, 1u), (full.BlockingRecords, full.SecondaryRecords));

            var size = await BlobSizeAsync(first, "recipient", grainId);
            Assert.True(size > TableEntityLimit, $"the stored recipient is {size} bytes");
        }

        await using var second = await ClearinghouseTestHost.StartAsync(settings);
        var after = await second.RecipientLists().GetListInfoAsync(new GetListInfoRequest { Recipient = recipient });
        Assert.Equal((100_000u, 100_000u, 1u), (after.BlockingRecords, after.AllowRecords, after.SecondaryRecords));
        var newest = await second.Verdicts().CheckRecipientAsync(new CheckRecipientRequest { Recipient = recipient, Sender = "newest@spam.example" });
        Assert.Equal((VerdictAction.Reject, addedId, "the newest"), (newest.Action, newest.MatchedRecordId, newest.Text));
        var blocked = await second.Verdicts().CheckRecipientAsync(new CheckRecipientRequest { Recipient = recipient, Sender = "blocked99999@spam.example" });
        Assert.Equal((VerdictAction.Reject, $"{message[..^7]}0099999"), (blocked.Action, blocked.Text));
        var allowed = await second.Verdicts().CheckRecipientAsync(new CheckRecipientRequest { Recipient = recipient, Sender = "friend99999@friends.example" });
        Assert.Equal(VerdictAction.Accept, allowed.Action);
        Assert.NotEmpty(allowed.MatchedRecordId);
    }

    [Fact]
    public async Task A_filter_list_of_100000_entries_stored_whole_by_an_earlier_version_moves_into_blob_segments_and_survives_a_restart()
    {
        const int Entries = 100_000;
        var settings = LargeStateSettings("large-list");
        const string Violator = "newly-listed@spam.example";

        // Seeded as an earlier version stored it (whole, over 1 MB), while no host runs it: every gateway's filter-list
        // replica activates the grain at start.
        await using (var seeding = await ClearinghouseTestHost.StartAsync(settings))
        {
            await seeding.StopAsync();
            var whole = new FilterListData { Version = Entries };
            var at = DateTimeOffset.UtcNow.AddDays(-1);
            for (var i = 0; i < Entries; i++)
            {
                var entry = FilterEntry.ForAddress(Address.Parse($"listed{i}@spam.example", "sender"));
                whole.Listed[entry.Key] = new FilterChange(i + 1, FilterChangeOp.Add, entry, "seeded", $"case-seed-{i}", at);
            }

            await Storage(seeding).WriteStateAsync(FilterListStore.LegacyState, FilterListGrainId(seeding), new GrainState<FilterListData>(whole));
            var size = await BlobSizeAsync(seeding, FilterListStore.LegacyState, FilterListGrainId(seeding));
            Assert.True(size > TableEntityLimit, $"the list stored whole is {size} bytes");
        }

        await using (var first = await ClearinghouseTestHost.StartAsync(settings))
        {
            // A real escalation appends entry 100,001 through the grain, which writes that change alone.
            await ListingReports.SubmitAsync(first, Violator, "large-list");
            await WaitUntilRejectedAsync(first, Violator);
            var grainId = FilterListGrainId(first);
            var change = await BlobSizeAsync(first, FilterListStore.ChangeState(Entries + 1), grainId);
            Assert.InRange(change, 1, 4096);
            var baseChunk = await BlobSizeAsync(first, FilterListStore.BaseState(0), grainId);
            Assert.InRange(baseChunk, 1, TableEntityLimit / 2);
        }

        await using var second = await ClearinghouseTestHost.StartAsync(settings);
        var list = second.Services.GetRequiredService<IGrainFactory>().GetGrain<IFilterList>(0);
        var listed = 0;
        FilterListPage page;
        do
        {
            page = await list.ReadListed(0, listed, 10_000);
            listed += page.Entries.Length;
        }
        while (page.More);

        Assert.Equal((Entries + 1L, Entries + 1), (page.AsOfVersion, listed));
        foreach (var sender in new[] { "listed0@spam.example", "listed54321@spam.example", $"listed{Entries - 1}@spam.example", Violator })
        {
            await WaitUntilRejectedAsync(second, sender);
        }
    }

    private static GrainId FilterListGrainId(ClearinghouseTestHost host) => host.Services.GetRequiredService<IGrainFactory>().GetGrain<IFilterList>(0).GetGrainId();

    private static IGrainStorage Storage(ClearinghouseTestHost host) => host.Services.GetRequiredKeyedService<IGrainStorage>(StorageNames.Large);

    private static async Task<long> BlobSizeAsync(ClearinghouseTestHost host, string stateName, GrainId grainId)
    {
        var azure = host.Services.GetRequiredService<AzureStorageClients>();
        var blob = azure.Blobs.GetBlobContainerClient(azure.BlobContainer).GetBlobClient($"{stateName}-{grainId}.json");
        return (await blob.GetPropertiesAsync()).Value.ContentLength;
    }

    private static RecipientState FullRecipient(string message)
    {
        var state = new RecipientState();
        var created = DateTimeOffset.UtcNow.AddDays(-30);
        for (var i = 0; i < ListLimits.MaxRecords; i++)
        {
            // Messages at the longest, each its own (the serializer stores a repeated string once).
            var own = $"{message[..^7]}{i:D7}";
            state.Records.Add(new BlockingRecord(Guid.CreateVersion7().ToString("N"), new SenderPattern(PatternKind.Address, $"blocked{i}@spam.example"), MessageChannel.Email, RecordAction.Reject, own, i % 10, created, RecordSource.User));
            state.Records.Add(new BlockingRecord(Guid.CreateVersion7().ToString("N"), new SenderPattern(PatternKind.Address, $"friend{i}@friends.example"), MessageChannel.Email, RecordAction.Allow, own, 0, created, RecordSource.User));
        }

        foreach (var record in state.Records)
        {
            state.Hits[record.Id] = new HitStatistics { Count = 3, LastHitAt = created, DecayedScore = 1.5, ScoreAt = created };
        }

        return state;
    }

    /// <summary>Waits until a verdict for <paramref name="sender"/> is rejected by the filter list (the gateway's replica has it).</summary>
    private static async Task WaitUntilRejectedAsync(ClearinghouseTestHost host, string sender)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var verdict = await host.Verdicts().CheckRecipientAsync(new CheckRecipientRequest { Recipient = $"someone@{TestTenants.AcmeDomain}", Sender = sender });
            if (verdict.Action == VerdictAction.Reject && verdict.ListedCaseId.Length > 0)
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"{sender} was not rejected by the filter list within 60 s");
            await Task.Delay(200);
        }
    }
}
