using Clearinghouse.Contracts;
using Clearinghouse.Domain;
using Clearinghouse.Gateway.Grains;
using Clearinghouse.Gateway.Security;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using V1 = Clearinghouse.Api.V1;

namespace Clearinghouse.Gateway.Services;

/// <summary>Providers report violations on their users' behalf, straight to the sender's grain.</summary>
public sealed class ReportsService(
    GrainReferences<ISender> senders,
    IOptionsMonitor<DoNotSendOptions> options,
    [FromKeyedServices(ClearinghouseClock.Key)] TimeProvider clock) : V1.Reports.ReportsBase
{
    /// <summary>The most reports one <see cref="SubmitViolations"/> call carries.</summary>
    public const int MaxBatchReports = 1000;

    /// <summary>
    /// How many senders' grains one <see cref="SubmitViolations"/> call writes to at a time: enough for Redis to share
    /// one fsync among many senders' writes, few enough that one call does not flood the silo's queues.
    /// </summary>
    public const int BatchConcurrency = 64;

    [RateLimitedWrite]
    public override async Task<V1.SubmitViolationResponse> SubmitViolation(V1.SubmitViolationRequest request, ServerCallContext context)
    {
        var report = ToDomain(request, context, "recipient");
        var outcome = await senders.Get(report.Sender.Value).Report(report);
        return new V1.SubmitViolationResponse
        {
            Duplicate = outcome.Duplicate,
            SenderState = ViolationMapping.ToProto(outcome.State),
            Authentication = AuthenticationMapping.ToProto(report.Authentication),
        };
    }

    /// <summary>
    /// Many reports: each is validated and scoped to the provider alone (a bad item fails alone), then each sender's
    /// reports go to its grain in one call and are stored in one write, a bounded number of senders at a time.
    /// </summary>
    [RateLimitedWrite]
    public override async Task<V1.SubmitViolationsResponse> SubmitViolations(V1.SubmitViolationsRequest request, ServerCallContext context)
    {
        if (request.Reports.Count == 0)
        {
            throw new InvalidFieldException("reports", "is required: at least one report");
        }

        if (request.Reports.Count > MaxBatchReports)
        {
            throw new InvalidFieldException("reports", $"holds {request.Reports.Count} items; at most {MaxBatchReports} per call");
        }

        var results = new V1.SubmitViolationResult[request.Reports.Count];
        var bySender = new Dictionary<string, List<(int Index, ViolationReport Report)>>(StringComparer.Ordinal);
        for (var i = 0; i < results.Length; i++)
        {
            try
            {
                var report = ItemReport(request.Reports[i], context, $"reports[{i}]");
                if (!bySender.TryGetValue(report.Sender.Value, out var items))
                {
                    bySender[report.Sender.Value] = items = [];
                }

                items.Add((i, report));
            }
            catch (Exception error)
            {
                results[i] = Failed(error);
            }
        }

        var parallel = new ParallelOptions { MaxDegreeOfParallelism = BatchConcurrency, CancellationToken = context.CancellationToken };
        await Parallel.ForEachAsync(bySender, parallel, async (sender, _) =>
        {
            try
            {
                var outcomes = await senders.Get(sender.Key).ReportMany([.. sender.Value.Select(i => i.Report)]);
                for (var i = 0; i < outcomes.Length; i++)
                {
                    var (index, report) = sender.Value[i];
                    results[index] = new V1.SubmitViolationResult
                    {
                        Duplicate = outcomes[i].Duplicate,
                        SenderState = ViolationMapping.ToProto(outcomes[i].State),
                        Authentication = AuthenticationMapping.ToProto(report.Authentication),
                    };
                }
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                foreach (var (index, _) in sender.Value)
                {
                    results[index] = Failed(error);
                }
            }
        });

        var response = new V1.SubmitViolationsResponse
        {
            Accepted = (uint)results.Count(r => r.Code == 0 && !r.Duplicate),
            Duplicates = (uint)results.Count(r => r.Code == 0 && r.Duplicate),
            Failed = (uint)results.Count(r => r.Code != 0),
        };
        response.Results.AddRange(results);
        return response;
    }

    private ViolationReport ToDomain(V1.SubmitViolationRequest request, ServerCallContext context, string recipientField)
    {
        var recipient = Address.Parse(request.Recipient, recipientField);
        var caller = context.RequireOwner(recipient, recipientField);
        return ViolationMapping.ToDomain(request, recipient, caller.Id, options.CurrentValue.GracePeriodFor(caller.Id), clock.GetUtcNow());
    }

    private ViolationReport ItemReport(V1.SubmitViolationRequest item, ServerCallContext context, string prefix)
    {
        try
        {
            return ToDomain(item, context, $"{prefix}.recipient");
        }
        catch (InvalidFieldException error) when (!error.Field.StartsWith(prefix, StringComparison.Ordinal))
        {
            throw error.Within(prefix);
        }
    }

    private static V1.SubmitViolationResult Failed(Exception error)
    {
        var status = CallerInterceptor.ToStatus(error);
        return new V1.SubmitViolationResult { Code = (int)status.StatusCode, Error = status.Detail };
    }
}
