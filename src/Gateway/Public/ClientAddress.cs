using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Http;

namespace Clearinghouse.Gateway.Public;

/// <summary>Who a public caller is, for rate limits (an IPv6 client by its /64: one host usually has the whole /64) and the audit trail.</summary>
public static class ClientAddress
{
    public static string Of(HttpContext context) =>
        context.Connection.RemoteIpAddress is { } ip ? (ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip).ToString() : "unknown";

    public static string RateLimitKey(HttpContext context)
    {
        if (context.Connection.RemoteIpAddress is not { } ip)
        {
            return "unknown";
        }

        if (ip.IsIPv4MappedToIPv6)
        {
            return ip.MapToIPv4().ToString();
        }

        if (ip.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return ip.ToString();
        }

        var bytes = ip.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }
}
