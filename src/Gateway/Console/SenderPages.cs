using System.Globalization;
using System.Text;
using static Clearinghouse.Gateway.Console.ConsoleLayout;
using V1 = Clearinghouse.Api.V1;

namespace Clearinghouse.Gateway.Console;

/// <summary>The most-reported senders, search by address or domain, and one sender's page. Never a recipient.</summary>
public static class SenderPages
{
    public static string List(V1.ListTopSendersResponse senders, string query)
    {
        var body = new StringBuilder();
        body.Append(CultureInfo.InvariantCulture, $"""
            <form class="inline" method="get" action="/senders"><label for="q">Address or domain</label>
            <input type="search" id="q" name="q" value="{E(query)}" placeholder="sender@bulk.example or bulk.example">
            <button type="submit">Search</button><span class="api">Operator.ListTopSenders</span></form>
            <p class="muted">{(query.Length == 0 ? "Ranked by weighted distinct recipients in the window" : $"Reported senders matching <strong>{E(query)}</strong>")}; {senders.RankedSenders} senders are ranked.</p>
            <table><thead><tr><th class="num">#</th><th>Sender</th><th>State</th><th class="num">Reports in window</th><th class="num">Distinct recipients</th><th class="num">Weighted</th><th class="num">Providers</th><th>Reported by</th><th>Listed</th><th>Expires</th></tr></thead><tbody>
            """);
        foreach (var sender in senders.Senders)
        {
            var standing = sender.Standing ?? new V1.Standing();
            body.Append(CultureInfo.InvariantCulture, $"""
                <tr><td class="num">{sender.Rank}</td><td><a href="/senders/view?address={U(sender.Sender)}">{E(sender.Sender)}</a></td><td>{State(Name(sender.State))}</td>
                <td class="num">{standing.ReportsInWindow}</td><td class="num">{standing.DistinctRecipients}</td><td class="num">{Number(standing.WeightedRecipients, 2)}</td><td class="num">{standing.DistinctProviders}</td>
                <td>{E(string.Join(", ", sender.ReportingProviders))}</td><td>{Time(sender.ListedAt)}</td><td>{Time(sender.ExpiresAt)}</td></tr>
                """);
        }

        body.Append("</tbody></table>");
        if (senders.Senders.Count == 0)
        {
            body.Append("<p class=\"muted\">No reported sender matches.</p>");
        }

        return body.ToString();
    }

    public static string Sender(PageContext context, V1.SenderReport report, V1.SenderActivity activity, V1.ListFilterChangesResponse history, V1.ListAuditResponse audit)
    {
        var standing = report.Standing ?? new V1.Standing();
        var domain = report.DomainStanding ?? new V1.Standing();
        var authentication = report.Authentication ?? new V1.AuthenticationCounts();
        var forgery = report.DomainForgery ?? new V1.DomainForgery();
        var body = new StringBuilder();
        body.Append(CultureInfo.InvariantCulture, $"""
            <p class="api">Operator.GetSender, Operator.GetSenderActivity, Operator.ListFilterChanges, Operator.ListAudit</p>
            <dl class="facts">
            <dt>Sender</dt><dd><code>{E(report.Sender)}</code></dd>
            <dt>State</dt><dd>{State(Name(report.State))}</dd>
            <dt>Case</dt><dd>{(report.CaseId.Length > 0 ? $"<code>{E(report.CaseId)}</code>" : "—")}</dd>
            <dt>Escalated</dt><dd>{Time(report.EscalatedAt)}</dd>
            <dt>Listed</dt><dd>{Time(report.ListedAt)}</dd>
            <dt>Delisted</dt><dd>{Time(report.DelistedAt)}</dd>
            <dt>Expires</dt><dd>{Time(report.ExpiresAt)}</dd>
            <dt>Listed again at once until</dt><dd>{Time(report.RecurrenceUntil)}</dd>
            <dt>Reports in window</dt><dd>{standing.ReportsInWindow} ({Number(standing.WeightedReports, 2)} weighted); {report.TotalReports} ever</dd>
            <dt>Distinct recipients</dt><dd>{standing.DistinctRecipients} ({Number(standing.WeightedRecipients, 2)} weighted)</dd>
            <dt>Distinct providers</dt><dd>{standing.DistinctProviders}: {E(string.Join(", ", report.ReportingProviders))}</dd>
            <dt>Last report</dt><dd>{Time(standing.LastReportAt)}</dd>
            <dt>Sender authentication</dt><dd id="authentication">{authentication.Verified} verified, {authentication.Unverified} unverified, {authentication.Forged} forged (forged reports count toward no listing)</dd>
            <dt>Its domain</dt><dd>{domain.ReportsInWindow} reports, {domain.DistinctRecipients} distinct recipients, {report.DomainDistinctSenders} reported addresses</dd>
            <dt>Forgeries of its domain</dt><dd id="domain-forgery">{forgery.ForgedReports} forged reports ({forgery.SpfFailures} SPF, {forgery.DmarcFailures} DMARC), {forgery.FailureReportsQueued} failure reports to its owner, the last {Time(forgery.LastFailureReportAt)}</dd>
            </dl>
            <h2>Timeline: reports per hour in the window</h2>
            {Timeline(activity)}
            <h2>Evidence</h2>
            <p class="muted">{activity.EvidenceSamples} evidence samples kept (the latest report of each of the most recent recipients); counted here, never shown by recipient.</p>
            <table><thead><tr><th>By</th><th>Value</th><th class="num">Samples</th></tr></thead><tbody>
            """);
        foreach (var count in activity.Evidence)
        {
            body.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(count.Dimension.Replace('_', ' '))}</td><td>{E(count.Value)}</td><td class=\"num\">{count.Count}</td></tr>");
        }

        body.Append("</tbody></table>");
        if (report.State is V1.EscalationState.Listed or V1.EscalationState.Escalated)
        {
            body.Append(ChangeForm(
                context,
                "/senders/delist",
                "Operator.Delist",
                $"<input type=\"hidden\" name=\"address\" value=\"{E(report.Sender)}\"><label for=\"reason\">Reason (published with the remove)</label><input type=\"text\" id=\"reason\" name=\"reason\" maxlength=\"450\" required>",
                "Delist this sender",
                danger: true));
        }

        body.Append("<h2>Listing history</h2><table><thead><tr><th class=\"num\">Version</th><th>When</th><th>Change</th><th>Reason</th><th>Case</th></tr></thead><tbody>");
        foreach (var change in history.Changes)
        {
            body.Append(CultureInfo.InvariantCulture, $"<tr><td class=\"num\">{change.Version}</td><td>{Time(change.At)}</td><td>{Name(change.Op)}</td><td>{E(change.Reason)}</td><td><code>{E(change.CaseId)}</code></td></tr>");
        }

        body.Append(CultureInfo.InvariantCulture, $"</tbody></table><p class=\"muted\">Filter-list changes since version {history.OldestRetainedVersion} are retained.</p>");
        body.Append("<h2>Operator actions on this sender</h2>");
        body.Append(AuditPage.Table(audit));
        return body.ToString();
    }

    /// <summary>Reports per hour as an SVG bar chart (presentation attributes only, no inline style).</summary>
    private static string Timeline(V1.SenderActivity activity)
    {
        if (activity.Timeline.Count == 0)
        {
            return "<p class=\"muted\">No reports in the window.</p>";
        }

        const int width = 720, height = 140, bottom = 18;
        var first = activity.Timeline[0].Hour.ToDateTimeOffset();
        var last = activity.Timeline[^1].Hour.ToDateTimeOffset();
        var hours = Math.Max(1, (int)(last - first).TotalHours + 1);
        var peak = Math.Max(1, activity.Timeline.Max(h => h.Reports));
        var barWidth = Math.Max(2.0, (width - 40.0) / hours - 1);
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg class=\"timeline\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"Reports per hour\">");
        foreach (var hour in activity.Timeline)
        {
            var index = (int)(hour.Hour.ToDateTimeOffset() - first).TotalHours;
            var barHeight = (height - bottom - 10.0) * hour.Reports / peak;
            svg.Append(CultureInfo.InvariantCulture, $"<rect class=\"bar\" x=\"{40 + index * (barWidth + 1):0.#}\" y=\"{height - bottom - barHeight:0.#}\" width=\"{barWidth:0.#}\" height=\"{barHeight:0.#}\"><title>{hour.Hour.ToDateTimeOffset().UtcDateTime:yyyy-MM-dd HH}:00 UTC: {hour.Reports} reports</title></rect>");
        }

        svg.Append(CultureInfo.InvariantCulture, $"<text class=\"axis\" x=\"0\" y=\"14\">{peak}</text><text class=\"axis\" x=\"40\" y=\"{height - 3}\">{first.UtcDateTime:yyyy-MM-dd HH}:00</text><text class=\"axis\" x=\"{width - 130}\" y=\"{height - 3}\">{last.UtcDateTime:yyyy-MM-dd HH}:00 UTC</text></svg>");
        return svg.ToString();
    }
}
