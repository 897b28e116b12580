using Clearinghouse.Gateway.Public;

namespace Clearinghouse.Gateway.Console;

/// <summary>
/// The operators' console (configuration section <c>Clearinghouse:Console</c>): server-rendered pages on a port of
/// their own (HTTP/1.1; HTTPS when a certificate is configured, the Kestrel way). Accounts are the named operators
/// with a <c>PasswordHash</c> (<c>Clearinghouse:Operators:&lt;name&gt;</c>).
/// </summary>
public sealed class ConsoleOptions
{
    public const string Section = "Clearinghouse:Console";

    /// <summary>Off when absent.</summary>
    public int? Port { get; set; }

    /// <summary>The address to listen on: loopback by default.</summary>
    public string Address { get; set; } = "127.0.0.1";

    /// <summary>A certificate makes the console HTTPS: <c>Path</c> (PEM with <c>KeyPath</c>, or PFX with <c>Password</c>).</summary>
    public CertificateSettings? Certificate { get; set; }

    /// <summary>Failed logins of one account, within <see cref="LockoutDuration"/>, before it is locked out.</summary>
    public int MaxFailedLogins { get; set; } = 5;

    /// <summary>How long a locked-out account stays locked (and how long a failed login counts).</summary>
    public TimeSpan LockoutDuration { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>A session ends after this long without a request.</summary>
    public TimeSpan SessionTimeout { get; set; } = TimeSpan.FromHours(8);

    /// <summary>Mount Microsoft.Orleans.Dashboard at <c>/cluster/orleans/</c> behind the console's login.</summary>
    public bool OrleansDashboard { get; set; } = true;

    public bool Https => Certificate is { Path.Length: > 0 };
}
