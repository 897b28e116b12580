using System.Globalization;
using System.Text;
using static Clearinghouse.Gateway.Console.ConsoleLayout;
using V1 = Clearinghouse.Api.V1;

namespace Clearinghouse.Gateway.Console;

/// <summary>The thresholds in force, a form to change them, and who changed them when.</summary>
public static class ThresholdPage
{
    public static string Body(PageContext context, V1.Thresholds thresholds, V1.ListAuditResponse changes)
    {
        var body = new StringBuilder();
        body.Append(CultureInfo.InvariantCulture, $"""
            <p class="api">Operator.GetThresholds</p>
            <dl class="facts">
            <dt>Mode</dt><dd>{(thresholds.Mode == V1.ThresholdMode.Ranked ? $"ranked: the top 1/{thresholds.RankDivisor} of reported senders" : $"absolute: more than {thresholds.AbsoluteThreshold} weighted distinct recipients")}</dd>
            <dt>Absolute threshold</dt><dd>{thresholds.AbsoluteThreshold}</dd>
            <dt>Rank divisor</dt><dd>{thresholds.RankDivisor}</dd>
            <dt>Minimum providers</dt><dd>{thresholds.MinimumProviders} (one provider alone never lists a sender)</dd>
            </dl>
            """);
        var fields = $"""
            <label for="mode">Mode</label><select id="mode" name="mode">
            <option value="absolute"{(thresholds.Mode != V1.ThresholdMode.Ranked ? " selected" : "")}>absolute</option>
            <option value="ranked"{(thresholds.Mode == V1.ThresholdMode.Ranked ? " selected" : "")}>ranked</option></select>
            <label for="absolute_threshold">Absolute threshold (at least 2)</label><input type="number" id="absolute_threshold" name="absolute_threshold" min="2" value="{thresholds.AbsoluteThreshold}" required>
            <label for="rank_divisor">Rank divisor (100, 500 or 1000)</label><select id="rank_divisor" name="rank_divisor">{string.Concat(new uint[] { 100, 500, 1000 }.Select(d => $"<option value=\"{d}\"{(d == thresholds.RankDivisor ? " selected" : "")}>{d}</option>"))}</select>
            <label for="minimum_providers">Minimum providers (at least 2)</label><input type="number" id="minimum_providers" name="minimum_providers" min="2" max="100" value="{thresholds.MinimumProviders}" required>
            """;
        body.Append(ChangeForm(context, "/thresholds", "Operator.SetThresholds", fields, "Change the thresholds"));
        body.Append("<h2>Changes</h2><p class=\"api\">Operator.ListAudit (action thresholds.set)</p>");
        body.Append(AuditPage.Table(changes));
        return body.ToString();
    }
}
