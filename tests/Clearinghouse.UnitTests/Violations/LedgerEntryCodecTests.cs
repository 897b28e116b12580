using Clearinghouse.Domain;
using Clearinghouse.Grains.Violations;

namespace Clearinghouse.UnitTests.Violations;

public class LedgerEntryCodecTests
{
    private static readonly LedgerLimits Limits = new(TimeSpan.FromDays(30), TimeSpan.FromDays(7), 20, TimeSpan.FromDays(60), 1_000_000);

    [Fact]
    public void Every_entry_comes_back_with_its_key_as_the_ledger_compares_it_and_the_rest_exactly()
    {
        var hash = Sha256Hex.Of("r1@acme.example");
        var entries = new List<LedgerEntry>
        {
            new("v:" + Sha256Hex.Of("one"), hash, "acme", "", 490_000, 490_000, 7),
            new("v:" + Sha256Hex.Of("two"), Sha256Hex.Of("r2@acme.example"), "other", "", 489_990, 490_001, 8) { Forged = true },
            new("acme:legacy-report-id", "", "", "", 0, 490_001, 12),
            new("v:" + Sha256Hex.Of("three").ToUpperInvariant(), hash.ToUpperInvariant(), "acme", "s@bulk.example", 490_002, 489_999, 13),
            new("v:short", "not-a-hash", "acme", "t@bulk.example", 1, 2, 11),
        };

        var packed = LedgerEntryCodec.Instance.Pack(entries);

        Assert.Equal(entries.Select(e => e with { Key = LedgerEntry.DedupeKey(e.Key) }), LedgerEntryCodec.Instance.Unpack(packed));
        Assert.Equal("v:" + Sha256Hex.Of("one")[..32], LedgerEntryCodec.Instance.Unpack(packed)[0].Key);
        Assert.Equal("acme:legacy-report-id", LedgerEntryCodec.Instance.Unpack(packed)[2].Key);
    }

    [Fact]
    public void A_report_entry_takes_its_key_as_16_raw_bytes_and_its_recipient_hash_as_32()
    {
        var entries = Enumerable.Range(1, 128)
            .Select(i => new LedgerEntry("v:" + Sha256Hex.Of($"k{i}"), Sha256Hex.Of($"r{i}@acme.example"), "acme", "", 490_000, 490_000, i))
            .ToList();

        var packed = LedgerEntryCodec.Instance.Pack(entries);

        // The key's first 16 bytes, the recipient's 32-byte hash, a shape byte and the hour's difference per entry, and
        // a few bytes for the chunk.
        Assert.InRange(packed.Length, 128 * 50, (128 * 50) + 32);
        Assert.Equal(entries.Select(e => e with { Key = LedgerEntry.DedupeKey(e.Key) }), LedgerEntryCodec.Instance.Unpack(packed));
        Assert.Empty(LedgerEntryCodec.Instance.Unpack(LedgerEntryCodec.Instance.Pack([])));
    }

    [Fact]
    public void A_chunk_of_format_1_with_whole_keys_still_reads_and_its_reports_stay_duplicates()
    {
        var key = "v:" + Sha256Hex.Of("counted before");
        var recipient = Sha256Hex.Of("r1@acme.example");
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer))
        {
            // Format 1 as it was written: version, count, providers, senders, base hour, number before the first,
            // then per entry its shape (raw key, raw recipient, same hours, next number), 32 + 32 bytes, the hour.
            writer.Write((byte)1);
            writer.Write7BitEncodedInt(1);
            writer.Write7BitEncodedInt(1);
            writer.Write("acme");
            writer.Write7BitEncodedInt(1);
            writer.Write("");
            writer.Write7BitEncodedInt64(490_000);
            writer.Write7BitEncodedInt64(6);
            writer.Write((byte)(2 | 4 | 8 | 16));
            writer.Write(Convert.FromHexString(key[2..]));
            writer.Write(Convert.FromHexString(recipient));
            writer.Write7BitEncodedInt64(0);
        }

        var entries = LedgerEntryCodec.Instance.Unpack(buffer.ToArray());

        Assert.Equal([new LedgerEntry(LedgerEntry.DedupeKey(key), recipient, "acme", "", 490_000, 490_000, 7)], entries);
        var ledger = new ViolationLedger(new LedgerSnapshot(), Limits);
        ledger.Restore(entries, DateTimeOffset.FromUnixTimeSeconds(490_000 * 3600));
        Assert.True(ledger.Contains(key));
    }

    [Fact]
    public void A_ledger_restored_from_its_chunk_recognises_a_report_sent_again_by_its_whole_key()
    {
        var now = DateTimeOffset.FromUnixTimeSeconds(490_000 * 3600);
        var counted = new ViolationLedger(new LedgerSnapshot(), Limits);
        var keys = Enumerable.Range(1, 3).Select(i => "v:" + Sha256Hex.Of($"report {i}")).ToList();
        foreach (var key in keys)
        {
            Assert.NotNull(counted.TryAdd(key, Sha256Hex.Of(key), "acme", "", 490_000, now));
        }

        var restored = new ViolationLedger(new LedgerSnapshot(), Limits);
        restored.Restore(LedgerEntryCodec.Instance.Unpack(LedgerEntryCodec.Instance.Pack(counted.TakeUnsaved())), now);

        Assert.All(keys, key => Assert.Null(restored.TryAdd(key, Sha256Hex.Of(key), "acme", "", 490_000, now)));
        Assert.NotNull(restored.TryAdd("v:" + Sha256Hex.Of("report 4"), Sha256Hex.Of("r4"), "acme", "", 490_000, now));
    }
}
