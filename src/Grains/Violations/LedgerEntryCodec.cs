using System.Text;
using Clearinghouse.Domain;
using Clearinghouse.Grains.Persistence;

namespace Clearinghouse.Grains.Violations;

/// <summary>
/// The stored form of a chunk of <see cref="LedgerEntry"/>s (format 2): a report key as the ledger compares it
/// (<see cref="LedgerEntry.DedupeKey"/>: <c>v:</c> + 32 hex digits) as its 16 raw bytes, a recipient's hex SHA-256 as
/// its 32 raw bytes, providers and senders as indexes into a table at the chunk's start (written only when the chunk
/// has more than one), the hours as differences, the numbers implied by the first one when consecutive. About 50 bytes
/// an entry instead of about 150 as a list of records. Any other key or hash is kept as text. An entry comes back with
/// its key as <see cref="LedgerEntry.DedupeKey"/> gives it and everything else exactly. Format 1 (the whole 32-byte key)
/// still reads.
/// </summary>
public sealed class LedgerEntryCodec : ILogItemCodec<LedgerEntry>
{
    public static readonly LedgerEntryCodec Instance = new();

    private const byte Version = 2;
    private const byte WholeKeyVersion = 1;
    private const string KeyPrefix = "v:";
    private const int HashBytes = 32;
    private const int KeyBytes = 16;

    [Flags]
    private enum Shape : byte
    {
        None = 0,
        Forged = 1,
        RawKey = 2,
        RawRecipient = 4,
        SameHours = 8,
        NextNumber = 16,

        // The key's first 16 bytes (format 2); RawKey is the whole 32 (format 1).
        ShortKey = 32,
    }

    public byte[] Pack(IReadOnlyList<LedgerEntry> items)
    {
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            var providers = Table(items.Select(i => i.ProviderId));
            var senders = Table(items.Select(i => i.Sender));
            writer.Write(Version);
            writer.Write7BitEncodedInt(items.Count);
            WriteTable(writer, providers);
            WriteTable(writer, senders);
            var baseHour = items.Count > 0 ? items[0].ArrivedHour : 0;
            writer.Write7BitEncodedInt64(baseHour);
            var previous = items.Count > 0 ? items[0].Number - 1 : 0;
            writer.Write7BitEncodedInt64(previous);
            Span<byte> raw = stackalloc byte[HashBytes];
            foreach (var item in items)
            {
                var shape = item.Forged ? Shape.Forged : Shape.None;
                var key = LedgerEntry.DedupeKey(item.Key);
                var shortKey = key.StartsWith(KeyPrefix, StringComparison.Ordinal) && TryRaw(key.AsSpan(KeyPrefix.Length), raw[..KeyBytes]);
                var rawRecipient = TryRaw(item.RecipientHash, raw);
                shape |= (shortKey ? Shape.ShortKey : 0) | (rawRecipient ? Shape.RawRecipient : 0);
                shape |= (item.Hour == item.ArrivedHour ? Shape.SameHours : 0) | (item.Number == previous + 1 ? Shape.NextNumber : 0);
                writer.Write((byte)shape);
                WriteHash(writer, shortKey ? key.AsSpan(KeyPrefix.Length) : key, shortKey, raw[..KeyBytes]);
                WriteHash(writer, item.RecipientHash, rawRecipient, raw);
                if (providers.Count > 1)
                {
                    writer.Write7BitEncodedInt(providers[item.ProviderId]);
                }

                if (senders.Count > 1)
                {
                    writer.Write7BitEncodedInt(senders[item.Sender]);
                }

                writer.Write7BitEncodedInt64(ZigZag(item.ArrivedHour - baseHour));
                if (item.Hour != item.ArrivedHour)
                {
                    writer.Write7BitEncodedInt64(ZigZag(item.ArrivedHour - item.Hour));
                }

                if (item.Number != previous + 1)
                {
                    writer.Write7BitEncodedInt64(ZigZag(item.Number - previous));
                }

                previous = item.Number;
            }
        }

        return buffer.ToArray();
    }

    public List<LedgerEntry> Unpack(byte[] packed)
    {
        using var reader = new BinaryReader(new MemoryStream(packed), Encoding.UTF8);
        var version = reader.ReadByte();
        if (version is not (Version or WholeKeyVersion))
        {
            throw new InvalidDataException($"ledger chunk format {version} is not known (this version reads formats {WholeKeyVersion} and {Version})");
        }

        var count = reader.Read7BitEncodedInt();
        var providers = ReadTable(reader);
        var senders = ReadTable(reader);
        var baseHour = reader.Read7BitEncodedInt64();
        var previous = reader.Read7BitEncodedInt64();
        var items = new List<LedgerEntry>(count);
        for (var i = 0; i < count; i++)
        {
            var shape = (Shape)reader.ReadByte();
            var rawKey = shape.HasFlag(Shape.ShortKey) ? KeyBytes : shape.HasFlag(Shape.RawKey) ? HashBytes : 0;
            var key = ReadHash(reader, rawKey);
            key = LedgerEntry.DedupeKey(rawKey > 0 ? KeyPrefix + key : key);
            var recipient = ReadHash(reader, shape.HasFlag(Shape.RawRecipient) ? HashBytes : 0);
            var provider = providers.Count > 1 ? providers[reader.Read7BitEncodedInt()] : providers.FirstOrDefault() ?? "";
            var sender = senders.Count > 1 ? senders[reader.Read7BitEncodedInt()] : senders.FirstOrDefault() ?? "";
            var arrived = baseHour + UnZigZag(reader.Read7BitEncodedInt64());
            var hour = shape.HasFlag(Shape.SameHours) ? arrived : arrived - UnZigZag(reader.Read7BitEncodedInt64());
            var number = shape.HasFlag(Shape.NextNumber) ? previous + 1 : previous + UnZigZag(reader.Read7BitEncodedInt64());
            items.Add(new LedgerEntry(key, recipient, provider, sender, hour, arrived, number) { Forged = shape.HasFlag(Shape.Forged) });
            previous = number;
        }

        return items;
    }

    private static Dictionary<string, int> Table(IEnumerable<string> values)
    {
        var table = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var value in values)
        {
            table.TryAdd(value, table.Count);
        }

        return table;
    }

    private static void WriteTable(BinaryWriter writer, Dictionary<string, int> table)
    {
        writer.Write7BitEncodedInt(table.Count);
        foreach (var (value, _) in table.OrderBy(e => e.Value))
        {
            writer.Write(value);
        }
    }

    private static List<string> ReadTable(BinaryReader reader)
    {
        var count = reader.Read7BitEncodedInt();
        var table = new List<string>(count);
        for (var i = 0; i < count; i++)
        {
            table.Add(reader.ReadString());
        }

        return table;
    }

    /// <summary>Whether <paramref name="hex"/> is the lower-case hex digits of <paramref name="raw"/>'s length in bytes (so that it round-trips from them).</summary>
    private static bool TryRaw(ReadOnlySpan<char> hex, Span<byte> raw)
    {
        if (hex.Length != raw.Length * 2)
        {
            return false;
        }

        foreach (var c in hex)
        {
            if (!char.IsAsciiDigit(c) && c is not (>= 'a' and <= 'f'))
            {
                return false;
            }
        }

        return Convert.FromHexString(hex, raw, out _, out _) == System.Buffers.OperationStatus.Done;
    }

    private static void WriteHash(BinaryWriter writer, ReadOnlySpan<char> text, bool asRaw, Span<byte> raw)
    {
        if (asRaw)
        {
            Convert.FromHexString(text, raw, out _, out _);
            writer.Write(raw);
        }
        else
        {
            writer.Write(text.ToString());
        }
    }

    /// <summary>A hash of <paramref name="rawBytes"/> bytes as lower-case hex, or (0) one stored as text.</summary>
    private static string ReadHash(BinaryReader reader, int rawBytes) =>
        rawBytes > 0 ? Convert.ToHexStringLower(reader.ReadBytes(rawBytes)) : reader.ReadString();

    private static long ZigZag(long value) => (value << 1) ^ (value >> 63);

    private static long UnZigZag(long value) => (long)((ulong)value >> 1) ^ -(value & 1);
}
