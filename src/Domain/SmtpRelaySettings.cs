namespace Clearinghouse.Domain;

public enum SmtpSecurity
{
    None,
    StartTls,
    StartTlsWhenAvailable,
    SslOnConnect,
}

/// <summary>An SMTP relay the clearing house sends mail through (ARF reports, delisting confirmations), with MailKit.</summary>
public class SmtpRelaySettings
{
    public string Host { get; set; } = "";

    public int Port { get; set; } = 25;

    public SmtpSecurity Security { get; set; } = SmtpSecurity.StartTlsWhenAvailable;

    public string? UserName { get; set; }

    public string? Password { get; set; }

    public string From { get; set; } = "";
}
