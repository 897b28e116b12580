
namespace Clearinghouse.LoadTool;

/// <summary>Latency samples in microseconds, collected from many threads, summarised by percentiles.</summary>
public sealed class Latencies
{
    private readonly List<double> samples = [];
    private readonly Lock gate = new();

    public void Add(double microseconds)
    {
        lock (gate)
        {
            samples.Add(microseconds);
        }
    }

    public double Percentile(double p)
    {
        lock (gate)
        {
            if (samples.Count == 0)
            {
                return double.NaN;
            }

            var sorted = samples.Order().ToArray();
            var index = (int)Math.Ceiling(p / 100 * sorted.Length) - 1;
            return sorted[Math.Clamp(index, 0, sorted.Length - 1)];
        }
    }
}
