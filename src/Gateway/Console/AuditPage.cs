using System.Globalization;
using System.Text;
using static Clearinghouse.Gateway.Console.ConsoleLayout;
using V1 = Clearinghouse.Api.V1;

namespace Clearinghouse.Gateway.Console;

/// <summary>The audit trail: who did what, when, to what and why; filtered and paged.</summary>
public static class AuditPage
{
    public static string Body(V1.ListAuditResponse page, string actor, string action, string target)
    {
        var body = new StringBuilder();
        body.Append(CultureInfo.InvariantCulture, $"""
            <form class="inline" method="get" action="/audit">
            <input type="search" name="actor" value="{E(actor)}" placeholder="actor (operator:alice)" aria-label="Actor">
            <input type="search" name="action" value="{E(action)}" placeholder="action (thresholds, delisting)" aria-label="Action">
            <input type="search" name="target" value="{E(target)}" placeholder="target (sender:…, thresholds)" aria-label="Target">
            <button type="submit">Filter</button><span class="api">Operator.ListAudit</span></form>
            """);
        body.Append(Table(page));
        if (page.NextPageToken.Length > 0)
        {
            body.Append(CultureInfo.InvariantCulture, $"<p class=\"pager\"><a href=\"/audit?actor={U(actor)}&amp;action={U(action)}&amp;target={U(target)}&amp;page={U(page.NextPageToken)}\">Older entries</a></p>");
        }

        return body.ToString();
    }

    public static string Table(V1.ListAuditResponse page)
    {
        if (page.Entries.Count == 0)
        {
            return "<p class=\"muted\">No audit entry matches.</p>";
        }

        var table = new StringBuilder("<table class=\"audit\"><thead><tr><th class=\"num\">#</th><th>When</th><th>Who</th><th>Did</th><th>To</th><th>Why</th><th>Particulars</th></tr></thead><tbody>");
        foreach (var entry in page.Entries)
        {
            var details = string.Join("; ", entry.Details.OrderBy(d => d.Key, StringComparer.Ordinal).Select(d => $"{d.Key} = {d.Value}"));
            table.Append(CultureInfo.InvariantCulture, $"<tr><td class=\"num\">{entry.Sequence}</td><td>{Time(entry.At)}</td><td>{E(entry.Actor)}</td><td><code>{E(entry.Action)}</code></td><td>{E(entry.Target)}</td><td>{E(entry.Reason)}</td><td>{E(details)}</td></tr>");
        }

        table.Append("</tbody></table>");
        return table.ToString();
    }
}
