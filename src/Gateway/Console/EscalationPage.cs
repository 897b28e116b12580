using System.Globalization;
using System.Text;
using static Clearinghouse.Gateway.Console.ConsoleLayout;
using V1 = Clearinghouse.Api.V1;

namespace Clearinghouse.Gateway.Console;

/// <summary>Escalation cases and their deliveries per destination; a dead letter can be sent again.</summary>
public static class EscalationPage
{
    private static readonly (V1.DeliveryStatus Status, string Label)[] Filters =
    [
        (V1.DeliveryStatus.Unspecified, "all cases"),
        (V1.DeliveryStatus.Pending, "with a pending delivery"),
        (V1.DeliveryStatus.DeadLetter, "with a dead letter"),
        (V1.DeliveryStatus.Delivered, "with a delivered report"),
    ];

    public static string Body(PageContext context, V1.ListCasesResponse cases, V1.DeliveryStatus status)
    {
        var body = new StringBuilder();
        body.Append("<form class=\"inline\" method=\"get\" action=\"/escalations\"><label for=\"status\">Show</label><select id=\"status\" name=\"status\">");
        foreach (var (value, label) in Filters)
        {
            body.Append(CultureInfo.InvariantCulture, $"<option value=\"{Name(value)}\"{(value == status ? " selected" : "")}>{E(label)}</option>");
        }

        body.Append("</select><button type=\"submit\">Show</button><span class=\"api\">Operator.ListCases</span></form>");
        if (cases.Cases.Count == 0)
        {
            body.Append("<p class=\"muted\">No escalation case in the outbox matches.</p>");
        }

        foreach (var escalation in cases.Cases)
        {
            var standing = escalation.Standing ?? new V1.Standing();
            body.Append(CultureInfo.InvariantCulture, $"""
                <h2>Case <code>{E(escalation.CaseId)}</code></h2>
                <dl class="facts">
                <dt>Sender</dt><dd><a href="/senders/view?address={U(escalation.Sender)}">{E(escalation.Sender)}</a></dd>
                <dt>Opened</dt><dd>{Time(escalation.OpenedAt)}</dd>
                <dt>Why</dt><dd>{E(escalation.Reason)}</dd>
                <dt>Standing then</dt><dd>{standing.ReportsInWindow} reports, {standing.DistinctRecipients} distinct recipients, {standing.DistinctProviders} providers ({E(string.Join(", ", escalation.ReportingProviders))}); {escalation.EvidenceSamples} evidence samples</dd>
                </dl>
                <table><thead><tr><th>Destination</th><th>Transport</th><th>Status</th><th class="num">Attempts</th><th>Last attempt</th><th>Next attempt</th><th>Delivered</th><th>Last error</th><th></th></tr></thead><tbody>
                """);
            foreach (var delivery in escalation.Deliveries)
            {
                var resend = delivery.Status == V1.DeliveryStatus.DeadLetter
                    ? ChangeForm(context, "/escalations/resend", "Operator.ResendDelivery", $"<input type=\"hidden\" name=\"delivery_id\" value=\"{E(delivery.DeliveryId)}\"><input type=\"text\" name=\"reason\" maxlength=\"450\" placeholder=\"reason (optional)\" aria-label=\"Reason for sending {E(delivery.Destination)} again\">", "Send again", formClass: "inline")
                    : "";
                body.Append(CultureInfo.InvariantCulture, $"""
                    <tr data-delivery="{E(delivery.DeliveryId)}"><td>{E(delivery.Destination)}</td><td>{E(delivery.Transport)}</td><td>{State(Name(delivery.Status))}{(delivery.Resends > 0 ? $" <span class=\"muted\">(sent again {delivery.Resends}×)</span>" : "")}</td>
                    <td class="num">{delivery.Attempts}</td><td>{Time(delivery.LastAttemptAt)}</td><td>{Time(delivery.NextAttemptAt)}</td><td>{Time(delivery.DeliveredAt)}</td><td>{E(delivery.LastError)}</td><td>{resend}</td></tr>
                    """);
            }

            body.Append("</tbody></table>");
        }

        return body.ToString();
    }
}
