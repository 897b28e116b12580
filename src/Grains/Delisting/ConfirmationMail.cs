using System.Globalization;
using Clearinghouse.Domain;
using MimeKit;

namespace Clearinghouse.Grains.Delisting;

/// <summary>
/// The mail that proves control of a listed address: a link to a confirmation page (opening it changes nothing; the
/// page's button confirms, so a mail scanner that fetches links does not confirm for the owner). Marked
/// <c>Auto-Submitted: auto-generated</c> (RFC 3834) so that no auto-responder answers it.
/// </summary>
public static class ConfirmationMail
{
    public static string Link(string linkBase, DelistingRequest request, string token) =>
        $"{linkBase.TrimEnd('/')}/delist/confirm?subject={Uri.EscapeDataString(request.Subject.Value)}&request={Uri.EscapeDataString(request.Id)}&token={Uri.EscapeDataString(token)}";

    public static MimeMessage Build(SmtpRelaySettings relay, DelistingRequest request, string link)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(relay.From));
        message.To.Add(new MailboxAddress("", request.Subject.Value));
        message.Subject = "Confirm the removal of your address from the Clearinghouse filter list";
        message.Headers.Add("Auto-Submitted", "auto-generated");
        message.Headers.Add("X-Clearinghouse-Delisting-Request", request.Id);
        message.Body = new TextPart("plain")
        {
            Text = string.Create(CultureInfo.InvariantCulture, $"""
                Someone asked the Clearinghouse to remove {request.Subject.Value} from its filter list
                (request {request.Id}).

                If that was you, open this link and confirm the removal before {request.ProofDeadline:u}:

                {link}

                If it was not you, ignore this message: nothing changes.
                """),
        };
        return message;
    }
}
