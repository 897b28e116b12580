using System.Net;
using Clearinghouse.Gateway.Maps;

namespace Clearinghouse.Gateway.Verdicts;

/// <summary>
/// The connection verdict last decided on one connection of an edge protocol whose connection serves one SMTP client
/// at a time (a Postfix policy connection: CONNECT, HELO, then every RCPT of that client): given again, without
/// deciding, while the client IP, the HELO name, the provider's maps (the same compiled instance) and the filter list's
/// version are those it was decided from, so it is the same decision. Used by one request at a time.
/// </summary>
public sealed class ConnectionVerdictMemo
{
    private (IPAddress ClientIp, string? Helo, CompiledProviderMaps Maps, long FilterListVersion, ConnectionVerdict Verdict, string Matched)? last;

    /// <summary>How many verdicts were given again rather than decided (diagnostics and tests).</summary>
    public int Reused { get; private set; }

    internal bool TryGet(IPAddress clientIp, string? helo, CompiledProviderMaps maps, long filterListVersion, out ConnectionVerdict verdict, out string matched)
    {
        if (last is { } remembered && ReferenceEquals(remembered.Maps, maps) && remembered.FilterListVersion == filterListVersion
            && remembered.Helo == helo && remembered.ClientIp.Equals(clientIp))
        {
            Reused++;
            (verdict, matched) = (remembered.Verdict, remembered.Matched);
            return true;
        }

        (verdict, matched) = (null!, "");
        return false;
    }

    internal void Remember(IPAddress clientIp, string? helo, CompiledProviderMaps maps, long filterListVersion, ConnectionVerdict verdict, string matched) =>
        last = (clientIp, helo, maps, filterListVersion, verdict, matched);
}
