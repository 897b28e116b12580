using System.Globalization;
using System.Text;
using static Clearinghouse.Gateway.Console.ConsoleLayout;
using V1 = Clearinghouse.Api.V1;

namespace Clearinghouse.Gateway.Console;

/// <summary>The cluster's silos, and the way into Orleans' own dashboard (kept off the overview: it costs CPU while watched).</summary>
public static class ClusterPage
{
    public const string DashboardPath = "/cluster/orleans";

    public static string Body(V1.Overview overview, bool dashboard)
    {
        var body = new StringBuilder();
        body.Append(dashboard
            ? $"<p class=\"notice info\">Microsoft.Orleans.Dashboard shows grains, calls, reminders and each silo's counters: <a href=\"{DashboardPath}/\">open the Orleans dashboard</a>. It profiles every grain call while someone has it open (and for a minute after), which costs the silos CPU: close it when done.</p>"
            : "<p class=\"notice info\">The Orleans dashboard is switched off (<code>Clearinghouse:Console:OrleansDashboard</code>).</p>");
        body.Append("<p class=\"api\">Operator.GetOverview</p><table><thead><tr><th>Address</th><th>Name</th><th>Membership</th><th>Reporting</th><th>Last report</th><th class=\"num\">Verdicts / s</th><th class=\"num\">CPU %</th><th class=\"num\">Memory (MiB)</th></tr></thead><tbody>");
        foreach (var silo in overview.Silos)
        {
            body.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(silo.Address)}</td><td>{E(silo.Name)}</td><td>{State(silo.Status)}</td><td>{(silo.Reporting ? "yes" : "no")}</td><td>{Time(silo.LastReportAt)}</td><td class=\"num\">{Number(silo.VerdictsPerSecond)}</td><td class=\"num\">{Number(silo.CpuPercent)}</td><td class=\"num\">{Number(silo.MemoryBytes / 1048576.0, 0)}</td></tr>");
        }

        body.Append("</tbody></table>");
        return body.ToString();
    }
}
