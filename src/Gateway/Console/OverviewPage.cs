using System.Globalization;
using System.Text;
using static Clearinghouse.Gateway.Console.ConsoleLayout;
using V1 = Clearinghouse.Api.V1;

namespace Clearinghouse.Gateway.Console;

/// <summary>
/// The overview: rendered with the latest sample, then kept live by <c>console.js</c> from <c>/overview/events</c>.
/// The cluster's internals (Orleans' own dashboard) are on the Cluster page, not here: that dashboard costs CPU while watched.
/// </summary>
public static class OverviewPage
{
    private static readonly string[] Actions = ["accept", "reject", "discard", "bounce", "defer"];

    public static string Body(V1.Overview sample)
    {
        var total = sample.VerdictsPerSecond.Sum(r => r.PerSecond);
        var body = new StringBuilder();
        body.Append(CultureInfo.InvariantCulture, $"""
            <div id="overview">
            <p class="muted">Updated <span data-field="at">{Time(sample.At)}</span> · <span id="live-status">connecting…</span> · <span class="api">Operator.GetOverview</span></p>
            <div class="tiles">
            <div class="tile"><div class="label">Verdicts / s</div><div class="value" data-field="verdicts">{Number(total)}</div></div>
            """);
        foreach (var action in Actions)
        {
            var rate = sample.VerdictsPerSecond.FirstOrDefault(r => r.Action == action)?.PerSecond ?? 0;
            body.Append(CultureInfo.InvariantCulture, $"<div class=\"tile\"><div class=\"label\">{action} / s</div><div class=\"value\" data-field=\"verdicts-{action}\">{Number(rate)}</div></div>");
        }

        body.Append(CultureInfo.InvariantCulture, $"""
            <div class="tile"><div class="label">Violations / min</div><div class="value" data-field="violations">{Number(sample.ViolationsPerMinute)}</div></div>
            <div class="tile"><div class="label">Escalations / min</div><div class="value" data-field="escalations">{Number(sample.EscalationsPerMinute)}</div></div>
            <div class="tile"><div class="label">Filter list version</div><div class="value" data-field="filter-list-version">{sample.FilterListVersion}</div></div>
            <div class="tile"><div class="label">Listed entries</div><div class="value" data-field="filter-list-size">{sample.FilterListSize}</div></div>
            <div class="tile"><div class="label">Outbox backlog</div><div class="value" data-field="outbox-pending">{sample.OutboxPending}</div></div>
            <div class="tile{(sample.OutboxDeadLetters > 0 ? " bad" : "")}" data-tile="dead-letters"><div class="label">Dead letters</div><div class="value" data-field="outbox-dead-letters">{sample.OutboxDeadLetters}</div></div>
            <div class="tile"><div class="label">Silos reporting</div><div class="value" data-field="silos">{sample.Silos.Count(s => s.Reporting)} of {sample.Silos.Count}</div></div>
            </div>
            <div class="charts">
            <figure class="chart"><figcaption>Verdicts per second, by action</figcaption>
            <svg id="chart-verdicts" viewBox="0 0 600 160" role="img" aria-label="Verdicts per second by action over the last two minutes"></svg>
            <div class="legend">{string.Concat(Actions.Select(a => $"<span class=\"k-{a}\">{a}</span>"))}</div></figure>
            <figure class="chart"><figcaption>Violations and escalations per minute</figcaption>
            <svg id="chart-violations" viewBox="0 0 600 160" role="img" aria-label="Violations and escalations per minute over the last two minutes"></svg>
            <div class="legend"><span class="k-violations">violations</span><span class="k-escalations">escalations</span></div></figure>
            </div>
            <h2>Most-reported senders</h2>
            <table><thead><tr><th class="num">#</th><th>Sender</th><th>State</th><th class="num">Distinct recipients</th><th class="num">Providers</th><th class="num">Reports in window</th></tr></thead>
            <tbody id="senders-body">
            """);
        foreach (var sender in sample.TopSenders)
        {
            body.Append(CultureInfo.InvariantCulture, $"<tr><td class=\"num\">{sender.Rank}</td><td><a href=\"/senders/view?address={U(sender.Sender)}\">{E(sender.Sender)}</a></td><td class=\"state {Name(sender.State)}\">{Name(sender.State)}</td><td class=\"num\">{sender.Standing?.DistinctRecipients ?? 0}</td><td class=\"num\">{sender.Standing?.DistinctProviders ?? 0}</td><td class=\"num\">{sender.Standing?.ReportsInWindow ?? 0}</td></tr>");
        }

        body.Append(CultureInfo.InvariantCulture, $"""
            </tbody></table>
            <p id="senders-empty" class="muted"{(sample.TopSenders.Count > 0 ? " hidden" : "")}>No sender has been reported in the window.</p>
            <h2>Silos</h2>
            <table><thead><tr><th>Address</th><th>Name</th><th>Membership</th><th>Reporting</th><th class="num">Verdicts / s</th><th class="num">CPU %</th><th class="num">Memory (MiB)</th></tr></thead>
            <tbody id="silos-body">
            """);
        foreach (var silo in sample.Silos)
        {
            body.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(silo.Address)}</td><td>{E(silo.Name)}</td><td class=\"state {E(silo.Status)}\">{E(silo.Status)}</td><td>{(silo.Reporting ? "yes" : "no")}</td><td class=\"num\">{Number(silo.VerdictsPerSecond)}</td><td class=\"num\">{Number(silo.CpuPercent)}</td><td class=\"num\">{Number(silo.MemoryBytes / 1048576.0, 0)}</td></tr>");
        }

        body.Append("</tbody></table></div>");
        return body.ToString();
    }
}
