using Clearinghouse.Contracts;
using Clearinghouse.Domain;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Options;
using V1 = Clearinghouse.Api.V1;

namespace Clearinghouse.Gateway.Services;

/// <summary>
/// The most-reported senders: each ranking shard names its highest-scoring senders (the query applied there), the
/// best of them are read from their own grains, and ranked by their current weighted distinct recipients (a sender
/// delisted since its last report has its counts reset and drops). A query for one address always shows it.
/// </summary>
public sealed class SenderRanking(IGrainFactory grains, IOptions<ViolationOptions> options)
{
    public async Task<V1.ListTopSendersResponse> ReadAsync(string queryText, SenderQuery query, int limit)
    {
        var shards = Math.Max(1, options.Value.RankingShards);
        var ranked = await Task.WhenAll(Enumerable.Range(0, shards).Select(shard => grains.GetGrain<IViolationShard>(shard).Top(queryText, limit)));
        var candidates = ranked.SelectMany(r => r).OrderByDescending(r => r.Score).Take(limit).Select(r => r.Sender).ToList();
        if (query.SingleAddress is { } address && !candidates.Contains(address))
        {
            candidates.Add(address);
        }

        var statuses = await Task.WhenAll(candidates.Select(sender => grains.GetGrain<ISender>(sender).GetStatus()));
        var view = await grains.GetGrain<IViolationRanking>(0).GetView();
        var response = new V1.ListTopSendersResponse { RankedSenders = (ulong)Math.Max(0, view.RankedSenders) };
        var rank = 0u;
        foreach (var status in statuses.Where(s => s.TotalReports > 0).OrderByDescending(s => s.Standing.WeightedRecipients).ThenBy(s => s.Sender.Value, StringComparer.Ordinal))
        {
            var sender = new V1.TopSender
            {
                Rank = ++rank,
                Sender = status.Sender.Value,
                State = ViolationMapping.ToProto(status.State),
                Standing = ViolationMapping.ToProto(status.Standing),
                CaseId = status.CaseId ?? "",
                ListedAt = status.State == EscalationState.Listed && status.ListedAt is { } listed ? Timestamp.FromDateTimeOffset(listed) : null,
                ExpiresAt = status.ExpiresAt is { } expires ? Timestamp.FromDateTimeOffset(expires) : null,
            };
            sender.ReportingProviders.AddRange(status.ReportingProviders);
            response.Senders.Add(sender);
        }

        return response;
    }
}
