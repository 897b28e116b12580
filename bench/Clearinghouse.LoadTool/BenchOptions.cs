using System.Globalization;

namespace Clearinghouse.LoadTool;

public sealed record BenchOptions(
    TimeSpan Duration,
    int Rounds,
    double Rate,
    int Concurrency,
    int Streams,
    int Window,
    int Recipients,
    string SiloDll,
    IReadOnlySet<string> Scenarios)
{
    public static BenchOptions Parse(string[] args)
    {
        string Value(string name, string fallback)
        {
            var at = Array.IndexOf(args, name);
            return at >= 0 && at + 1 < args.Length ? args[at + 1] : fallback;
        }

        var root = FindRepositoryRoot();
        return new BenchOptions(
            TimeSpan.FromSeconds(double.Parse(Value("--duration", "10"), CultureInfo.InvariantCulture)),
            int.Parse(Value("--rounds", "5"), CultureInfo.InvariantCulture),
            double.Parse(Value("--rate", "5000"), CultureInfo.InvariantCulture),
            int.Parse(Value("--concurrency", "32"), CultureInfo.InvariantCulture),
            int.Parse(Value("--streams", "4"), CultureInfo.InvariantCulture),
            int.Parse(Value("--window", "256"), CultureInfo.InvariantCulture),
            int.Parse(Value("--recipients", "1000"), CultureInfo.InvariantCulture),
            Value("--silo-dll", Path.Combine(root, "src/Silo/bin/Release/net10.0/Clearinghouse.Silo.dll")),
            Value("--scenarios", "ping,check,stream,open-ping,open-check").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet());
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Clearinghouse.sln")))
            {
                return directory.FullName;
            }
        }

        return Directory.GetCurrentDirectory();
    }

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Rounds} rounds x {Duration.TotalSeconds:0} s, closed loop {Concurrency} callers, {Streams} streams x {Window} in flight, open loop {Rate}/s, {Recipients} recipients x 5 records");
}
