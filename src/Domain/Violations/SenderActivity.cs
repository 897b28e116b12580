namespace Clearinghouse.Domain;

/// <summary>Reports in one hour of a sender's window (the hour's start).</summary>
[GenerateSerializer, Immutable]
public sealed record HourlyReports([property: Id(0)] DateTimeOffset Hour, [property: Id(1)] int Reports);

/// <summary>How many of a sender's evidence samples have <see cref="Value"/> for <see cref="Dimension"/>.</summary>
[GenerateSerializer, Immutable]
public sealed record EvidenceCount([property: Id(0)] string Dimension, [property: Id(1)] string Value, [property: Id(2)] int Count);

/// <summary>
/// What operators see of a sender's reports beyond its counts: the reports per hour in the window and its evidence
/// sample counted by provider, channel, source and request method. Never a recipient, not even hashed.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record SenderActivity(
    [property: Id(0)] Address Sender,
    [property: Id(1)] IReadOnlyList<HourlyReports> Timeline,
    [property: Id(2)] int EvidenceSamples,
    [property: Id(3)] IReadOnlyList<EvidenceCount> Evidence)
{
    public static SenderActivity Of(Address sender, IReadOnlyDictionary<long, int> hourlyReports, IReadOnlyList<ViolationReport> evidence, long nowHour, TimeSpan window)
    {
        var windowHours = Math.Max(1, (long)Math.Ceiling(window.TotalHours));
        var timeline = hourlyReports
            .Where(h => nowHour - h.Key < windowHours && h.Value > 0)
            .OrderBy(h => h.Key)
            .Select(h => new HourlyReports(DateTimeOffset.FromUnixTimeSeconds(h.Key * 3600), h.Value))
            .ToList();
        var counts = Count("provider", evidence, r => r.ProviderId)
            .Concat(Count("channel", evidence, r => r.Channel.ToString().ToLowerInvariant()))
            .Concat(Count("source", evidence, r => r.Source.ToString().ToLowerInvariant()))
            .Concat(Count("request_method", evidence, r => r.RequestMethod.ToString().ToLowerInvariant()))
            .ToList();
        return new SenderActivity(sender, timeline, evidence.Count, counts);
    }

    private static IEnumerable<EvidenceCount> Count(string dimension, IReadOnlyList<ViolationReport> evidence, Func<ViolationReport, string> value) =>
        evidence.GroupBy(value, StringComparer.Ordinal)
            .OrderByDescending(g => g.Count())
            .ThenBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new EvidenceCount(dimension, g.Key, g.Count()));
}
