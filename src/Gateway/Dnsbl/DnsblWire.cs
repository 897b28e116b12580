using System.Buffers.Binary;
using System.Text;
using ARSoft.Tools.Net.Dns;

namespace Clearinghouse.Gateway.Dnsbl;

/// <summary>
/// The DNS wire format of the UDP path (RFC 1035 section 4; the OPT record of RFC 6891), by hand: a library's message
/// objects cost many times the lookup itself. Reads a standard query (header, one question, at most one OPT record),
/// asks <see cref="DnsblResponder.Decide"/>, and writes the answer into the caller's buffer, allocating nothing but the
/// question's label strings (and the TXT text of a listed name).
/// <list type="bullet">
/// <item>The question is echoed as it came (same case); answer records point to it (<c>0xC00C</c>); the zone's names
/// in SOA and NS records are written whole, in lower case.</item>
/// <item>An answer over 512 octets (or over the query's EDNS payload size when larger) is sent as header, question
/// and OPT with the TC bit set and no records, so the client asks again over TCP.</item>
/// <item>EDNS as ARSoft.Tools.Net's server answers it: an OPT record in the query gets one in the answer with the
/// query's payload size, version and DO bit, and no options.</item>
/// <item>Another opcode than QUERY: NOTIMP; not exactly one question, answer or authority records, or more than one
/// additional record: FORMERR (header only).</item>
/// <item>Dropped without an answer (and without an exception): anything shorter than a header, a response, a name or
/// question cut short, a compression pointer or extended label type in the question, an additional record that is not
/// an OPT.</item>
/// </list>
/// </summary>
public sealed class DnsblWire
{
    public const int HeaderLength = 12;

    /// <summary>The most a UDP answer may hold without EDNS (RFC 1035 section 4.2.1).</summary>
    public const int ClassicUdpLimit = 512;

    /// <summary>Room for the largest answer written (apex SOA and NS of the longest names, an OPT): callers' buffers.</summary>
    public const int MaxAnswerLength = 4096;

    private const ushort TypeA = 1;
    private const ushort TypeNs = 2;
    private const ushort TypeSoa = 6;
    private const ushort TypeTxt = 16;
    private const ushort TypeOpt = 41;
    private const ushort ClassInternet = 1;
    private const ushort PointerToQuestion = 0xC000 | HeaderLength;

    private readonly DnsblResponder responder;
    private readonly byte[] nameServer;
    private readonly byte[] hostmaster;
    private readonly Dictionary<DnsblZone, byte[]> zoneNames;

    public DnsblWire(DnsblResponder responder, DnsblZones zones)
    {
        this.responder = responder;
        nameServer = EncodeName(responder.NameServer.Labels);
        hostmaster = EncodeName(responder.Hostmaster.Labels);
        zoneNames = zones.All.ToDictionary(zone => zone, zone => EncodeName(zone.Labels));
    }

    /// <summary>
    /// Answers one datagram: writes the answer into <paramref name="answer"/> (at least <see cref="MaxAnswerLength"/>
    /// octets) and returns its length, or 0 when the datagram gets no answer. Never throws.
    /// </summary>
    public int Answer(ReadOnlySpan<byte> query, Span<byte> answer)
    {
        if (query.Length < HeaderLength || (query[2] & 0x80) != 0 || answer.Length < MaxAnswerLength)
        {
            return 0;
        }

        var header = new QueryHeader(query);
        if (header.Opcode != 0)
        {
            return WriteHeaderOnly(answer, header, DnsblResponder.Count(DnsblAnswer.Error(ReturnCode.NotImplemented)));
        }

        if (BinaryPrimitives.ReadUInt16BigEndian(query[4..]) != 1 || BinaryPrimitives.ReadUInt16BigEndian(query[6..]) != 0
            || BinaryPrimitives.ReadUInt16BigEndian(query[8..]) != 0 || BinaryPrimitives.ReadUInt16BigEndian(query[10..]) > 1)
        {
            return WriteHeaderOnly(answer, header, DnsblResponder.Count(DnsblAnswer.Error(ReturnCode.FormatError)));
        }

        if (!TryReadQuestion(query, out var labelCount, out var questionEnd) || !TryReadOpt(query, questionEnd, out var opt))
        {
            return 0;
        }

        var question = query[HeaderLength..questionEnd];
        var type = (RecordType)BinaryPrimitives.ReadUInt16BigEndian(query[(questionEnd - 4)..]);
        var recordClass = (RecordClass)BinaryPrimitives.ReadUInt16BigEndian(query[(questionEnd - 2)..]);
        var decided = responder.Decide(ReadLabels(query, labelCount), type, recordClass);

        var limit = opt.Present ? Math.Max(ClassicUdpLimit, (int)opt.PayloadSize) : ClassicUdpLimit;
        var length = Write(answer, header, question, decided, opt, truncated: false);
        return length <= limit ? length : Write(answer, header, question, decided, opt, truncated: true);
    }

    // The question's name: labels of 1-63 octets (no compression pointer: nothing precedes the question to point to),
    // at most 255 octets in all, then type and class.
    private static bool TryReadQuestion(ReadOnlySpan<byte> query, out int labelCount, out int questionEnd)
    {
        labelCount = 0;
        questionEnd = 0;
        var position = HeaderLength;
        var nameLength = 1;
        while (true)
        {
            if (position >= query.Length)
            {
                return false;
            }

            var length = query[position];
            if (length == 0)
            {
                position++;
                break;
            }

            nameLength += length + 1;
            if ((length & 0xC0) != 0 || nameLength > 255 || position + 1 + length > query.Length)
            {
                return false;
            }

            position += 1 + length;
            labelCount++;
        }

        if (position + 4 > query.Length)
        {
            return false;
        }

        questionEnd = position + 4;
        return true;
    }

    // Octets as Latin-1 characters: the parser compares case-insensitively and refuses whatever is not a host name.
    private static string[] ReadLabels(ReadOnlySpan<byte> query, int labelCount)
    {
        var labels = new string[labelCount];
        var position = HeaderLength;
        for (var i = 0; i < labelCount; i++)
        {
            var length = query[position];
            labels[i] = Encoding.Latin1.GetString(query.Slice(position + 1, length));
            position += 1 + length;
        }

        return labels;
    }

    private static bool TryReadOpt(ReadOnlySpan<byte> query, int position, out OptRecord opt)
    {
        opt = default;
        if (BinaryPrimitives.ReadUInt16BigEndian(query[10..]) == 0)
        {
            return true;
        }

        // Root name, type OPT, class = payload size, TTL = extended rcode, version, flags; then options (ignored).
        if (position + 11 > query.Length || query[position] != 0 || BinaryPrimitives.ReadUInt16BigEndian(query[(position + 1)..]) != TypeOpt
            || position + 11 + BinaryPrimitives.ReadUInt16BigEndian(query[(position + 9)..]) > query.Length)
        {
            return false;
        }

        opt = new OptRecord(true, BinaryPrimitives.ReadUInt16BigEndian(query[(position + 3)..]), query[position + 6], (query[position + 7] & 0x80) != 0);
        return true;
    }

    private int Write(Span<byte> answer, QueryHeader header, ReadOnlySpan<byte> question, DnsblAnswer decided, OptRecord opt, bool truncated)
    {
        var records = truncated ? DnsblRecords.None : decided.Records;
        var answers = CountOf(records & (DnsblRecords.A | DnsblRecords.Txt | DnsblRecords.Soa | DnsblRecords.Ns));
        var writer = new WireWriter(answer);
        WriteHeader(ref writer, header, decided, truncated, questions: 1, answers, authority: records.HasFlag(DnsblRecords.AuthoritySoa) ? 1 : 0, opt.Present);
        writer.Bytes(question);
        if (decided.Zone is { } zone)
        {
            var zoneName = zoneNames[zone];
            if (records.HasFlag(DnsblRecords.A))
            {
                writer.RecordStart(PointerToQuestion, TypeA, responder.Ttl, 4);
                DnsblResponder.CodeFor(zone.Kind).TryWriteBytes(writer.Take(4), out _);
            }

            if (records.HasFlag(DnsblRecords.Txt))
            {
                WriteTxt(ref writer, DnsblText.For(decided.Listing!));
            }

            if (records.HasFlag(DnsblRecords.Soa))
            {
                WriteSoa(ref writer, zoneName, responder.Ttl);
            }

            if (records.HasFlag(DnsblRecords.Ns))
            {
                writer.Bytes(zoneName);
                writer.RecordStart(TypeNs, responder.Ttl, nameServer.Length);
                writer.Bytes(nameServer);
            }

            if (records.HasFlag(DnsblRecords.AuthoritySoa))
            {
                WriteSoa(ref writer, zoneName, responder.NegativeTtl);
            }
        }

        WriteOpt(ref writer, opt);
        return writer.Overflowed ? 0 : writer.Position;
    }

    private static int WriteHeaderOnly(Span<byte> answer, QueryHeader header, DnsblAnswer decided)
    {
        var writer = new WireWriter(answer);
        WriteHeader(ref writer, header, decided, truncated: false, questions: 0, answers: 0, authority: 0, opt: false);
        return writer.Position;
    }

    private static void WriteHeader(ref WireWriter writer, QueryHeader header, DnsblAnswer decided, bool truncated, int questions, int answers, int authority, bool opt)
    {
        writer.U16(header.Id);
        writer.U8((byte)(0x80 | (header.Opcode << 3) | (decided.IsAuthoritative ? 0x04 : 0) | (truncated ? 0x02 : 0) | (header.RecursionDesired ? 0x01 : 0)));
        writer.U8((byte)((header.CheckingDisabled ? 0x10 : 0) | ((int)decided.Code & 0x0F)));
        writer.U16((ushort)questions);
        writer.U16((ushort)answers);
        writer.U16((ushort)authority);
        writer.U16((ushort)(opt ? 1 : 0));
    }

    private void WriteTxt(ref WireWriter writer, string text)
    {
        var strings = (text.Length + 254) / 255;
        writer.RecordStart(PointerToQuestion, TypeTxt, responder.Ttl, text.Length + strings);
        for (var i = 0; i < text.Length; i += 255)
        {
            var part = text.AsSpan(i, Math.Min(255, text.Length - i));
            writer.U8((byte)part.Length);
            Encoding.ASCII.GetBytes(part, writer.Take(part.Length));
        }
    }

    private void WriteSoa(ref WireWriter writer, byte[] zoneName, int ttl)
    {
        writer.Bytes(zoneName);
        writer.RecordStart(TypeSoa, ttl, nameServer.Length + hostmaster.Length + 20);
        writer.Bytes(nameServer);
        writer.Bytes(hostmaster);
        writer.U32(responder.Serial);
        writer.U32(DnsblResponder.SoaRefresh);
        writer.U32(DnsblResponder.SoaRetry);
        writer.U32(DnsblResponder.SoaExpire);
        writer.U32((uint)responder.NegativeTtl);
    }

    private static void WriteOpt(ref WireWriter writer, OptRecord opt)
    {
        if (!opt.Present)
        {
            return;
        }

        writer.U8(0);
        writer.U16(TypeOpt);
        writer.U16(opt.PayloadSize);
        writer.U8(0);
        writer.U8(opt.Version);
        writer.U16((ushort)(opt.DnssecOk ? 0x8000 : 0));
        writer.U16(0);
    }

    private static int CountOf(DnsblRecords records) => System.Numerics.BitOperations.PopCount((uint)records);

    private static byte[] EncodeName(IEnumerable<string> labels)
    {
        var name = new List<byte>();
        foreach (var label in labels)
        {
            var octets = Encoding.ASCII.GetBytes(label.ToLowerInvariant());
            name.Add((byte)octets.Length);
            name.AddRange(octets);
        }

        name.Add(0);
        return [.. name];
    }

    private readonly struct QueryHeader(ReadOnlySpan<byte> query)
    {
        public ushort Id { get; } = BinaryPrimitives.ReadUInt16BigEndian(query);

        public int Opcode { get; } = (query[2] >> 3) & 0x0F;

        public bool RecursionDesired { get; } = (query[2] & 0x01) != 0;

        public bool CheckingDisabled { get; } = (query[3] & 0x10) != 0;
    }

    private readonly record struct OptRecord(bool Present, ushort PayloadSize, byte Version, bool DnssecOk);

    /// <summary>Writes big-endian fields into a span; past its end it only notes the overflow (the answer is then dropped).</summary>
    private ref struct WireWriter(Span<byte> buffer)
    {
        private readonly Span<byte> buffer = buffer;

        public int Position { get; private set; }

        public bool Overflowed { get; private set; }

        public Span<byte> Take(int count)
        {
            if (Overflowed || Position + count > buffer.Length)
            {
                Overflowed = true;
                return new byte[count];
            }

            var taken = buffer.Slice(Position, count);
            Position += count;
            return taken;
        }

        public void U8(byte value) => Take(1)[0] = value;

        public void U16(ushort value) => BinaryPrimitives.WriteUInt16BigEndian(Take(2), value);

        public void U32(uint value) => BinaryPrimitives.WriteUInt32BigEndian(Take(4), value);

        public void Bytes(ReadOnlySpan<byte> value) => value.CopyTo(Take(value.Length));

        /// <summary>A record owned by a compressed name: the pointer, then type, class IN, TTL and RDATA length.</summary>
        public void RecordStart(ushort ownerPointer, ushort type, int ttl, int dataLength)
        {
            U16(ownerPointer);
            RecordStart(type, ttl, dataLength);
        }

        /// <summary>Type, class IN, TTL and RDATA length, after an owner name written whole.</summary>
        public void RecordStart(ushort type, int ttl, int dataLength)
        {
            U16(type);
            U16(ClassInternet);
            U32((uint)ttl);
            U16((ushort)dataLength);
        }
    }
}
