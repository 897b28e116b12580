using System.Net.Sockets;
using Clearinghouse.Domain;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace Clearinghouse.Grains.Mail;

/// <summary>
/// Sends mail through a relay over SMTP with MailKit (ARF reports, delisting confirmations). A 5xx reply is a
/// permanent refusal; a 4xx reply, a lost connection or a timeout is worth retrying.
/// </summary>
public sealed class SmtpTransport
{
    public async Task<DeliveryResult> SendAsync(SmtpRelaySettings settings, MimeMessage message, CancellationToken cancellationToken)
    {
        using var client = new SmtpClient();
        try
        {
            await client.ConnectAsync(settings.Host, settings.Port, Security(settings.Security), cancellationToken);
            if (!string.IsNullOrEmpty(settings.UserName))
            {
                await client.AuthenticateAsync(settings.UserName, settings.Password ?? "", cancellationToken);
            }

            await client.SendAsync(message, cancellationToken);
            await client.DisconnectAsync(quit: true, cancellationToken);
            return DeliveryResult.Success;
        }
        catch (SmtpCommandException error) when ((int)error.StatusCode >= 500)
        {
            return DeliveryResult.Refused($"SMTP {(int)error.StatusCode}: {error.Message}");
        }
        catch (SmtpCommandException error)
        {
            return DeliveryResult.Retry($"SMTP {(int)error.StatusCode}: {error.Message}");
        }
        catch (Exception error) when (error is SmtpProtocolException or ServiceNotConnectedException or IOException or SocketException or AuthenticationException)
        {
            return DeliveryResult.Retry(error.Message);
        }
    }

    private static SecureSocketOptions Security(SmtpSecurity security) => security switch
    {
        SmtpSecurity.None => SecureSocketOptions.None,
        SmtpSecurity.StartTls => SecureSocketOptions.StartTls,
        SmtpSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
        _ => SecureSocketOptions.StartTlsWhenAvailable,
    };
}
