using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using StackExchange.Redis;

namespace Clearinghouse.TestSupport;

/// <summary>
/// Bytes persisted, measured at the store: the growth of Redis's append-only file (what <c>appendfsync</c> writes to
/// disk), read from <c>INFO persistence</c>. Automatic AOF rewrites are turned off for the run so the file only grows.
/// <see cref="BreakdownSince"/> reads the file itself and says which keys the bytes went to.
/// </summary>
public sealed partial class AofMeter : IDisposable
{
    private readonly ConnectionMultiplexer connection;
    private readonly IServer server;
    private readonly string incrementFile;

    private AofMeter(ConnectionMultiplexer connection, string incrementFile)
    {
        this.connection = connection;
        this.incrementFile = incrementFile;
        server = connection.GetServers().Single();
    }

    public static async Task<AofMeter> ConnectAsync(string connectionString)
    {
        var connection = await ConnectionMultiplexer.ConnectAsync(connectionString + ",allowAdmin=true");
        var server = connection.GetServers().Single();
        await server.ConfigSetAsync("auto-aof-rewrite-percentage", "0");

        // Redis 7 keeps the append-only file as a base and increments listed in a manifest; with rewrites off, the
        // last increment is the one that grows.
        var dir = (await server.ConfigGetAsync("dir")).Single().Value;
        var aofDir = Path.Combine(dir, (await server.ConfigGetAsync("appenddirname")).Single().Value);
        var manifest = Directory.GetFiles(aofDir, "*.manifest").Single();
        var increment = File.ReadAllLines(manifest).Select(line => line.Split(' ')).Last(fields => fields.Length >= 6 && fields[5] == "i")[1];
        return new AofMeter(connection, Path.Combine(aofDir, increment));
    }

    public async Task<long> SizeAsync()
    {
        var info = await server.InfoAsync("persistence");
        var size = info.SelectMany(group => group).Single(pair => pair.Key == "aof_current_size").Value;
        return long.Parse(size, CultureInfo.InvariantCulture);
    }

    /// <summary>Where the growing file ends now: pass it to <see cref="BreakdownSince"/> later.</summary>
    public long Mark() => new FileInfo(incrementFile).Length;

    /// <summary>
    /// The bytes appended since <paramref name="mark"/>, by key with digits masked (so that <c>sender-log-e17</c> and
    /// <c>-e18</c>, or two fresh senders, fall together); commands without a key (MULTI, EXEC) count as "(no key)".
    /// </summary>
    public IReadOnlyList<(string Key, long Bytes)> BreakdownSince(long mark)
    {
        using var file = new FileStream(incrementFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        file.Seek(mark, SeekOrigin.Begin);
        var data = new byte[file.Length - mark];
        file.ReadExactly(data);

        var totals = new Dictionary<string, long>(StringComparer.Ordinal);
        var at = 0;
        while (TryReadCommand(data, ref at, out var start, out var key))
        {
            var name = key is null ? "(no key)" : Digits().Replace(key, "#");
            totals[name] = totals.GetValueOrDefault(name) + (at - start);
        }

        return [.. totals.OrderByDescending(t => t.Value).Select(t => (t.Key, t.Value))];
    }

    // One RESP array of bulk strings (how the AOF stores a command); false at the end or at a partial command.
    private static bool TryReadCommand(byte[] data, ref int at, out int start, out string? key)
    {
        start = at;
        key = null;
        var position = at;
        if (!TryReadLine(data, ref position, '*', out var count))
        {
            return false;
        }

        for (var i = 0; i < count; i++)
        {
            if (!TryReadLine(data, ref position, '$', out var length) || position + length + 2 > data.Length)
            {
                return false;
            }

            if (i == 1)
            {
                key = Encoding.UTF8.GetString(data, position, length);
            }

            position += length + 2;
        }

        at = position;
        return true;
    }

    private static bool TryReadLine(byte[] data, ref int at, char prefix, out int number)
    {
        number = 0;
        var end = Array.IndexOf(data, (byte)'\n', at);
        if (at >= data.Length || data[at] != prefix || end < 0)
        {
            return false;
        }

        number = int.Parse(Encoding.ASCII.GetString(data, at + 1, end - at - 2), CultureInfo.InvariantCulture);
        at = end + 1;
        return true;
    }

    [GeneratedRegex("[0-9]+")]
    private static partial Regex Digits();

    public void Dispose() => connection.Dispose();
}
