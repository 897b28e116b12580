using System.Net;

namespace Clearinghouse.Silo.Hosting;

/// <summary>An IP address read from configuration: a bad one stops the start naming its setting.</summary>
public static class ConfiguredAddress
{
    public static IPAddress Parse(string value, string setting) =>
        IPAddress.TryParse(value.Trim(), out var address)
            ? address
            : throw new InvalidOperationException($"{setting} = '{value}' is not an IP address.");
}
