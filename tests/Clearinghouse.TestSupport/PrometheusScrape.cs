using System.Globalization;

namespace Clearinghouse.TestSupport;

/// <summary>One read of a Prometheus <c>/metrics</c> page (text format), for sums over a metric's samples.</summary>
public sealed class PrometheusScrape(string[] lines)
{
    public IReadOnlyList<string> Lines => lines;

    public static async Task<PrometheusScrape> ReadAsync(HttpClient http, Uri managementAddress) =>
        new((await http.GetStringAsync(new Uri(managementAddress, "/metrics"))).Split('\n'));

    /// <summary>The sum of a metric's samples whose labels contain <paramref name="label"/> ("name{labels} value [timestamp]").</summary>
    public double Sum(string metric, string label = "") =>
        lines
            .Where(line => line.StartsWith(metric + "{", StringComparison.Ordinal) || line.StartsWith(metric + " ", StringComparison.Ordinal))
            .Where(line => line.Contains(label, StringComparison.Ordinal))
            .Sum(line =>
            {
                var rest = line[(line.LastIndexOf('}') is var close and >= 0 ? close + 1 : metric.Length)..].Trim();
                return double.Parse(rest.Split(' ')[0], CultureInfo.InvariantCulture);
            });

    /// <summary>Every counter (a metric named <c>..._total</c>) with its samples summed over their labels.</summary>
    public IReadOnlyDictionary<string, double> CounterTotals()
    {
        var totals = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in lines)
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var nameEnd = line.IndexOfAny(['{', ' ']);
            var name = nameEnd > 0 ? line[..nameEnd] : line;
            if (!name.EndsWith("_total", StringComparison.Ordinal))
            {
                continue;
            }

            var rest = line[(line.LastIndexOf('}') is var close and >= 0 ? close + 1 : name.Length)..].Trim();
            if (double.TryParse(rest.Split(' ')[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                totals[name] = totals.GetValueOrDefault(name) + value;
            }
        }

        return totals;
    }
}
