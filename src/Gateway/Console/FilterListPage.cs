using System.Globalization;
using System.Text;
using static Clearinghouse.Gateway.Console.ConsoleLayout;
using V1 = Clearinghouse.Api.V1;

namespace Clearinghouse.Gateway.Console;

/// <summary>Browse and search the filter list (an address is hashed before it is searched), its recent changes, and manual entries.</summary>
public static class FilterListPage
{
    public static string Body(PageContext context, V1.SearchFilterListResponse listed, V1.ListFilterChangesResponse changes, string query, V1.FilterEntryKind kind)
    {
        var body = new StringBuilder();
        body.Append(CultureInfo.InvariantCulture, $"""
            <form class="inline" method="get" action="/filter-list"><label for="q">Search</label>
            <input type="search" id="q" name="q" value="{E(query)}" placeholder="an address, a domain, an IP address">
            <select name="kind" aria-label="Kind">{KindOptions(kind, allowAny: true)}</select>
            <button type="submit">Search</button><span class="api">Operator.SearchFilterList</span></form>
            <p class="muted">Version {listed.Version}, {listed.Listed} listed entries. An address is searched by its SHA-256 (the list never holds it in clear); a search for an address also finds the domains that cover it.</p>
            <table><thead><tr><th>Kind</th><th>Entry</th><th>Listed</th><th class="num">Version</th><th>Reason</th><th>Case</th></tr></thead><tbody>
            """);
        foreach (var entry in listed.Entries)
        {
            body.Append(CultureInfo.InvariantCulture, $"<tr><td>{Kind(entry.Kind)}</td><td><code>{E(entry.Value)}</code></td><td>{Time(entry.At)}</td><td class=\"num\">{entry.Version}</td><td>{E(entry.Reason)}</td><td><code>{E(entry.CaseId)}</code></td></tr>");
        }

        body.Append("</tbody></table>");
        if (listed.Entries.Count == 0)
        {
            body.Append("<p class=\"muted\">No listed entry matches.</p>");
        }

        if (listed.NextPageToken.Length > 0)
        {
            body.Append(CultureInfo.InvariantCulture, $"<p class=\"pager\"><a href=\"/filter-list?q={U(query)}&amp;kind={Name(kind)}&amp;page={U(listed.NextPageToken)}\">Older entries</a></p>");
        }

        var fields = $"<label for=\"entry-kind\">Kind</label><select id=\"entry-kind\" name=\"kind\">{KindOptions(V1.FilterEntryKind.Domain, allowAny: false)}</select>"
            + "<label for=\"entry-value\">Domain or IP address</label><input type=\"text\" id=\"entry-value\" name=\"value\" required>"
            + "<label for=\"entry-reason\">Reason (published with the entry)</label><input type=\"text\" id=\"entry-reason\" name=\"reason\" maxlength=\"450\" required>";
        if (context.CanChange)
        {
            body.Append("<h2>Add or remove an entry by hand</h2><p class=\"muted\">Senders' addresses are listed by escalation and removed with Delist on the sender's page.</p>");
            body.Append(ChangeForm(context, "/filter-list/add", "Operator.ListEntry", fields, "Add to the list"));
            body.Append(ChangeForm(context, "/filter-list/remove", "Operator.UnlistEntry", fields.Replace("entry-", "remove-", StringComparison.Ordinal), "Remove from the list", danger: true));
        }

        body.Append("<h2>Recent changes</h2><p class=\"api\">Operator.ListFilterChanges</p><table><thead><tr><th class=\"num\">Version</th><th>When</th><th>Change</th><th>Kind</th><th>Entry</th><th>Reason</th><th>Case</th></tr></thead><tbody>");
        foreach (var change in changes.Changes)
        {
            body.Append(CultureInfo.InvariantCulture, $"<tr><td class=\"num\">{change.Version}</td><td>{Time(change.At)}</td><td>{Name(change.Op)}</td><td>{Kind(change.Kind)}</td><td><code>{E(change.Value)}</code></td><td>{E(change.Reason)}</td><td><code>{E(change.CaseId)}</code></td></tr>");
        }

        body.Append("</tbody></table>");
        return body.ToString();
    }

    private static string Kind(V1.FilterEntryKind kind) => kind switch
    {
        V1.FilterEntryKind.AddressSha256 => "address (SHA-256)",
        V1.FilterEntryKind.Domain => "domain",
        V1.FilterEntryKind.Ip => "IP address",
        _ => "—",
    };

    private static string KindOptions(V1.FilterEntryKind selected, bool allowAny)
    {
        V1.FilterEntryKind[] kinds = allowAny
            ? [V1.FilterEntryKind.Unspecified, V1.FilterEntryKind.AddressSha256, V1.FilterEntryKind.Domain, V1.FilterEntryKind.Ip]
            : [V1.FilterEntryKind.Domain, V1.FilterEntryKind.Ip];
        return string.Concat(kinds.Select(k => $"<option value=\"{Name(k)}\"{(k == selected ? " selected" : "")}>{(k == V1.FilterEntryKind.Unspecified ? "every kind" : Kind(k))}</option>"));
    }
}
