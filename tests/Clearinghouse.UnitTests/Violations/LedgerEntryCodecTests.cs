using Clearinghouse.Domain;
using Clearinghouse.Grains.Violations;

namespace Clearinghouse.UnitTests.Violations;

public class LedgerEntryCodecTests
{
    [Fact]
    public void Every_entry_comes_back_exactly_whatever_its_key_hash_hours_and_number()
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

        Assert.Equal(entries, LedgerEntryCodec.Instance.Unpack(packed));
    }

    [Fact]
    public void A_report_entry_takes_its_hashes_as_raw_bytes()
    {
        var entries = Enumerable.Range(1, 128)
            .Select(i => new LedgerEntry("v:" + Sha256Hex.Of($"k{i}"), Sha256Hex.Of($"r{i}@acme.example"), "acme", "", 490_000, 490_000, i))
            .ToList();

        var packed = LedgerEntryCodec.Instance.Pack(entries);

        // Two 32-byte hashes, a shape byte and the hour's difference per entry, and a few bytes for the chunk.
        Assert.InRange(packed.Length, 128 * 66, (128 * 66) + 32);
        Assert.Equal(entries, LedgerEntryCodec.Instance.Unpack(packed));
        Assert.Empty(LedgerEntryCodec.Instance.Unpack(LedgerEntryCodec.Instance.Pack([])));
    }
}
