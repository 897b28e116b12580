using Clearinghouse.Contracts;
using Clearinghouse.Domain;
using Clearinghouse.Gateway.FilterList;
using Clearinghouse.Gateway.Services;
using Google.Protobuf.WellKnownTypes;
using V1 = Clearinghouse.Api.V1;

namespace Clearinghouse.Gateway.Console;

/// <summary>
/// Reads what the overview shows (<see cref="V1.Overview"/>): the cluster's traffic rates (one grain call), the
/// outbox's counts (one grain call), the ten most-reported senders (a call per ranking shard and per sender), this
/// gateway's filter-list replica, and the cluster's membership (refreshed at most every few seconds, since it reads
/// the membership table). A read within a second of the last one is answered
/// with it, so any number of watchers cost the cluster the same.
/// </summary>
public sealed class OverviewSampler(IGrainFactory grains, FilterListReplica replica, SenderRanking ranking, TimeProvider clock)
{
    private const int TopSenders = 10;
    private static readonly TimeSpan Fresh = TimeSpan.FromMilliseconds(900);
    private static readonly TimeSpan MembershipRefresh = TimeSpan.FromSeconds(5);
    private static readonly string[] ActionNames = System.Enum.GetNames<VerdictAction>().Select(n => n.ToLowerInvariant()).ToArray();

    private readonly SemaphoreSlim sampling = new(1, 1);
    private V1.Overview? latest;
    private MembershipEntry[] members = [];
    private DateTimeOffset membersAt = DateTimeOffset.MinValue;

    public async Task<V1.Overview> ReadAsync(CancellationToken cancellationToken = default)
    {
        if (Recent(latest) is { } recent)
        {
            return recent;
        }

        await sampling.WaitAsync(cancellationToken);
        try
        {
            return Recent(latest) ?? (latest = await SampleAsync());
        }
        finally
        {
            sampling.Release();
        }
    }

    private V1.Overview? Recent(V1.Overview? overview) =>
        overview is not null && clock.GetUtcNow() - overview.At.ToDateTimeOffset() < Fresh ? overview : null;

    private async Task<V1.Overview> SampleAsync()
    {
        var traffic = grains.GetGrain<ITrafficStatistics>(0).Read();
        var topSenders = ranking.ReadAsync("", SenderQuery.Everyone, TopSenders);
        var outbox = grains.GetGrain<IEscalationOutbox>(0).Counts();
        var now = clock.GetUtcNow();
        if (now - membersAt > MembershipRefresh)
        {
            members = await grains.GetGrain<IManagementGrain>(0).GetDetailedHosts(onlyActive: false);
            membersAt = now;
        }

        var rates = await traffic;
        var counts = await outbox;
        var (version, size) = replica.VersionAndSize();
        var overview = new V1.Overview
        {
            At = Timestamp.FromDateTimeOffset(now),
            ViolationsPerMinute = rates.ViolationsPerMinute,
            EscalationsPerMinute = rates.EscalationsPerMinute,
            FilterListVersion = (ulong)version,
            FilterListSize = (uint)size,
            OutboxPending = (uint)counts.Pending,
            OutboxDeadLetters = (uint)counts.DeadLetters,
        };
        for (var i = 0; i < ActionNames.Length; i++)
        {
            overview.VerdictsPerSecond.Add(new V1.ActionRate { Action = ActionNames[i], PerSecond = i < rates.VerdictsPerSecond.Count ? rates.VerdictsPerSecond[i] : 0 });
        }

        overview.Silos.AddRange(Silos(members, rates.Silos, now));
        overview.TopSenders.AddRange((await topSenders).Senders);
        return overview;
    }

    /// <summary>Every silo the membership table knows (the dead only for an hour), with what it last reported.</summary>
    private static IEnumerable<V1.SiloHealth> Silos(MembershipEntry[] members, IReadOnlyList<SiloRates> reports, DateTimeOffset now)
    {
        var bySilo = reports.ToDictionary(r => r.Silo, StringComparer.Ordinal);
        foreach (var member in members.OrderBy(m => m.SiloAddress.Endpoint.ToString(), StringComparer.Ordinal))
        {
            if (member.Status == SiloStatus.Dead && now - member.IAmAliveTime > TimeSpan.FromHours(1))
            {
                continue;
            }

            var address = member.SiloAddress.Endpoint.ToString();
            var health = new V1.SiloHealth
            {
                Address = address,
                Name = member.SiloName ?? "",
                Status = StatusName(member.Status),
            };
            if (bySilo.TryGetValue(address, out var report))
            {
                health.Reporting = report.Reporting && member.Status == SiloStatus.Active;
                health.VerdictsPerSecond = report.VerdictsPerSecond.Sum();
                health.CpuPercent = report.CpuPercent;
                health.MemoryBytes = (ulong)Math.Max(0, report.MemoryBytes);
                health.LastReportAt = Timestamp.FromDateTimeOffset(report.LastReportAt);
            }

            yield return health;
        }
    }

    private static string StatusName(SiloStatus status) => status switch
    {
        SiloStatus.ShuttingDown => "shutting_down",
        _ => status.ToString().ToLowerInvariant(),
    };
}
