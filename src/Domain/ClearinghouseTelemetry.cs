using System.Diagnostics.Metrics;

namespace Clearinghouse.Domain;

/// <summary>
/// The system's own meter. Instruments are created once here and used wherever the event
/// happens (gateway or grain); exporters (Prometheus, OTLP) are chosen by the silo's configuration.
/// Tags never carry a recipient address.
/// </summary>
public static class ClearinghouseTelemetry
{
    public const string Name = "Clearinghouse";

    public static readonly Meter Meter = new(Name);

    /// <summary>Verdicts given, tagged <c>action</c> (accept, reject, discard, bounce, defer) and <c>channel</c>.</summary>
    public static readonly Counter<long> Verdicts = Meter.CreateCounter<long>("clearinghouse.verdicts", "{verdict}", "Verdicts given, by action");

    /// <summary>Time to answer one check at the gateway, in seconds.</summary>
    public static readonly Histogram<double> VerdictDuration = Meter.CreateHistogram<double>(
        "clearinghouse.verdict.duration",
        "s",
        "Time to answer one recipient check at the gateway",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1] });

    /// <summary>Silos seen declared dead by the others' votes, tagged <c>process</c>: gone, or unknown (writes wait).</summary>
    public static readonly Counter<long> DeathsDeclared = Meter.CreateCounter<long>("clearinghouse.cluster.deaths_declared", "{silo}", "Silos this silo saw declared dead by the others' votes (not those that left cleanly), tagged process: gone (its endpoint refused a connection) or unknown (writes wait until it can no longer answer from memory)");

    /// <summary>Writes to recipients held by a death whose silo may still answer from memory.</summary>
    public static readonly Counter<long> WritesHeldAfterDeath = Meter.CreateCounter<long>("clearinghouse.recipient_cache.writes_held_after_death", "{write}", "Writes held until a silo declared dead could no longer answer from memory");

    /// <summary>Second activations of a recipient superseded by the other's write.</summary>
    public static readonly Counter<long> ActivationsSuperseded = Meter.CreateCounter<long>("clearinghouse.recipient_cache.activations_superseded", "{activation}", "Recipient activations superseded by another activation's write (two at once around a membership change)");

    /// <summary>Blocking and allow records added (new, not replacements).</summary>
    public static readonly Counter<long> RecordsAdded = Meter.CreateCounter<long>("clearinghouse.records.added", "{record}", "Records added");

    public static readonly Counter<long> RecordsRemoved = Meter.CreateCounter<long>("clearinghouse.records.removed", "{record}", "Records removed");

    /// <summary>Violation reports counted by sender grains (duplicates excluded), tagged <c>source</c> (verdict, provider).</summary>
    public static readonly Counter<long> Violations = Meter.CreateCounter<long>("clearinghouse.violations", "{report}", "Violation reports recorded");

    /// <summary>Forged violation reports counted for their forged domain (counted toward no listing).</summary>
    public static readonly Counter<long> ForgedViolations = Meter.CreateCounter<long>("clearinghouse.violations.forged", "{report}", "Forged violation reports recorded");

    /// <summary>Aggregated failure reports (RFC 6591) queued for forged domains' owners.</summary>
    public static readonly Counter<long> ForgeryReports = Meter.CreateCounter<long>("clearinghouse.forgery.reports", "{report}", "Failure reports queued for forged domains");

    /// <summary>Senders escalated (a case opened).</summary>
    public static readonly Counter<long> Escalations = Meter.CreateCounter<long>("clearinghouse.escalations", "{case}", "Senders escalated");

    /// <summary>Escalation deliveries finished, tagged <c>outcome</c> (delivered, dead_letter).</summary>
    public static readonly Counter<long> EscalationDeliveries = Meter.CreateCounter<long>("clearinghouse.escalation.deliveries", "{delivery}", "Escalation deliveries finished");

    private static long filterListVersion;
    private static long outboxBacklog;

    /// <summary>The filter-list version this process's replica holds.</summary>
    public static readonly ObservableGauge<long> FilterListVersion = Meter.CreateObservableGauge(
        "clearinghouse.filterlist.version", () => Interlocked.Read(ref filterListVersion), "{version}", "Filter-list version held by this gateway's replica");

    /// <summary>Escalation deliveries pending in the outbox hosted by this silo.</summary>
    public static readonly ObservableGauge<long> OutboxBacklog = Meter.CreateObservableGauge(
        "clearinghouse.escalation.outbox.backlog", () => Interlocked.Read(ref outboxBacklog), "{delivery}", "Escalation deliveries waiting in the outbox");

    public static void SetFilterListVersion(long version) => Interlocked.Exchange(ref filterListVersion, version);

    public static void SetOutboxBacklog(long pending) => Interlocked.Exchange(ref outboxBacklog, pending);
    /// <summary>Entries evicted from a full recipient list into its secondary list, tagged <c>rule</c>.</summary>
    public static readonly Counter<long> RecordsEvicted = Meter.CreateCounter<long>("clearinghouse.records.evicted", "{record}", "Records evicted from full recipient lists, by rule");

    /// <summary>Connection verdicts given at CONNECT, tagged <c>action</c> (accept, reject) and <c>matched</c> (ip, helo, filterlist, none).</summary>
    public static readonly Counter<long> ConnectionVerdicts = Meter.CreateCounter<long>("clearinghouse.connection.verdicts", "{verdict}", "Connection verdicts given, by action");

    /// <summary>Sender verifications computed (cache misses), tagged <c>method</c> (spf, fcrdns, none) and <c>spf</c> (the SPF result).</summary>
    public static readonly Counter<long> SenderVerifications = Meter.CreateCounter<long>("clearinghouse.sender.verifications", "{verification}", "Sender domain verifications computed (not served from cache)");

    /// <summary>Postfix policy requests answered, tagged <c>state</c> (protocol state) and <c>action</c> (the access(5) verb).</summary>
    public static readonly Counter<long> PolicyRequests = Meter.CreateCounter<long>("clearinghouse.policy.requests", "{request}", "Postfix policy requests answered");

    /// <summary>DNS blocklist queries answered, tagged <c>zone</c> (ip, domain, address, none) and <c>result</c> (listed, not_listed, empty, apex, refused, error).</summary>
    public static readonly Counter<long> DnsblQueries = Meter.CreateCounter<long>("clearinghouse.dnsbl.queries", "{query}", "DNS blocklist queries answered");
}
