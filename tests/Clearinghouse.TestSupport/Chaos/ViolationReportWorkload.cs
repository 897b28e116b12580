using System.Collections.Concurrent;
using Clearinghouse.Api.V1;
using Google.Protobuf.WellKnownTypes;

namespace Clearinghouse.TestSupport.Chaos;

/// <summary>
/// Providers' back ends submitting violation reports (each with a report id of its own) for a few senders per reporter.
/// An acknowledged report is persisted by the sender's grain; afterwards each sender's count of reports, read through
/// the operator API, must be at least the number acknowledged for it. A failed submission is uncertain (it may have been
/// counted) and is not held against the cluster.
/// </summary>
public sealed class ViolationReportWorkload : IChaosWorkload
{
    private const int SendersPerReporter = 5;
    private readonly CallTimeline timeline = new();
    private readonly ConcurrentDictionary<string, long> acknowledgedBySender = new();

    public string Name => "violation reports";

    public static string Sender(int reporter, int i) => $"chaos{reporter}-{i}@violator.example";

    public Task PrepareAsync(ChaosContext context, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task RunAsync(ChaosContext context, CancellationToken stop) =>
        Task.WhenAll(Enumerable.Range(0, Math.Max(1, context.Options.Writers / 2)).Select(reporter => ReportAsync(context, reporter, stop)));

    public async Task<WorkloadResult> VerifyAsync(ChaosContext context, CancellationToken cancellationToken)
    {
        var (channel, operatorInvoker) = HarnessTenant.Connect(context.Cluster.Silos[0].Address, HarnessTenant.OperatorKey);
        using (channel)
        {
            var operators = new Operator.OperatorClient(operatorInvoker);
            long lost = 0;
            var examples = new List<string>();
            foreach (var (sender, acknowledged) in acknowledgedBySender)
            {
                var status = await ChaosContext.RetryAsync(
                    async () => await operators.GetSenderAsync(new GetSenderRequest { Sender = sender }, deadline: ChaosContext.Deadline(), cancellationToken: cancellationToken),
                    cancellationToken);
                var missing = acknowledged - (long)status.TotalReports;
                if (missing > 0)
                {
                    lost += missing;
                    examples.Add($"{sender}: {acknowledged} reports acknowledged, {status.TotalReports} counted");
                }
            }

            return WorkloadResult.From(Name, context, timeline, acknowledgedWrites: acknowledgedBySender.Values.Sum(), lostWrites: lost, lostExamples: examples.Take(10).ToList());
        }
    }

    private async Task ReportAsync(ChaosContext context, int reporter, CancellationToken stop)
    {
        var random = new Random(1000 + reporter);
        for (var sequence = 0; !stop.IsCancellationRequested; sequence++)
        {
            var sender = Sender(reporter, random.Next(SendersPerReporter));
            var report = Report($"chaos-{reporter}-{sequence}-{Guid.NewGuid():N}", $"reported{reporter}-{sequence % 40}@{HarnessTenant.Domain}", sender, DateTimeOffset.UtcNow);
            var submitted = await context.CallAsync(timeline, async invoker => await new Reports.ReportsClient(invoker).SubmitViolationAsync(report, deadline: ChaosContext.Deadline()), "violation", sender);
            if (submitted.Value is not null)
            {
                acknowledgedBySender.AddOrUpdate(sender, 1, (_, count) => count + 1);
            }
        }
    }

    /// <summary>A valid report of <paramref name="sender"/> by <paramref name="recipient"/>: request four days ago, second message a minute ago.</summary>
    public static SubmitViolationRequest Report(string reportId, string recipient, string sender, DateTimeOffset now) => new()
    {
        ReportId = reportId,
        Recipient = recipient,
        Sender = sender,
        FirstMessage = Evidence($"<first-{reportId}@violator.example>", now.AddDays(-5)),
        RequestMethod = DoNotSendMethod.OneClick,
        RequestedAt = Timestamp.FromDateTimeOffset(now.AddDays(-4)),
        SecondMessage = Evidence($"<second-{reportId}@violator.example>", now.AddMinutes(-1)),
    };

    private static MessageEvidence Evidence(string messageId, DateTimeOffset date) => new()
    {
        MessageId = messageId,
        Date = Timestamp.FromDateTimeOffset(date),
        HeaderDigest = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(messageId))),
    };
}
