using System.Diagnostics;
using Clearinghouse.Domain;

namespace Clearinghouse.Gateway.Services;

/// <summary>Counts verdicts by action and channel and times them, with tag values built once.</summary>
internal static class VerdictMetrics
{
    private static readonly string[] ActionNames = Enum.GetNames<VerdictAction>().Select(n => n.ToLowerInvariant()).ToArray();
    private static readonly string[] ChannelNames = Enum.GetNames<MessageChannel>().Select(n => n.ToLowerInvariant()).ToArray();

    public static void Record(Verdict verdict, MessageChannel channel, long startedTimestamp)
    {
        var tags = new TagList
        {
            { "action", ActionNames[(int)verdict.Action] },
            { "channel", ChannelNames[(int)channel] },
        };
        ClearinghouseTelemetry.Verdicts.Add(1, tags);
        ClearinghouseTelemetry.VerdictDuration.Record(Stopwatch.GetElapsedTime(startedTimestamp).TotalSeconds, tags);
    }
}
