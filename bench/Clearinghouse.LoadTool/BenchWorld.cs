using System.Security.Cryptography;
using System.Text;
using Clearinghouse.Api.V1;
using Clearinghouse.TestSupport.Chaos;
using Grpc.Core;

namespace Clearinghouse.LoadTool;

/// <summary>The data a run works on: a provider, its recipients with records, and a fixed mix of checks.</summary>
public sealed class BenchWorld
{
    public const string ProviderKey = "bench-provider-key";
    public const string Domain = "bench.example";
    private const int RecipientsPerImport = 200;
    private const int ImportCallsInFlight = 4;

    public static IReadOnlyDictionary<string, string> ProviderSettings() => new Dictionary<string, string>
    {
        ["Clearinghouse:Providers:bench:Domains:0"] = Domain,
        ["Clearinghouse:Providers:bench:ApiKeySha256:0"] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(ProviderKey))),
        // Seeding writes faster than the default write limit allows.
        ["Clearinghouse:Providers:bench:WritesPerSecond"] = "0",
    };

    /// <summary>A client call invoker over several HTTP/2 connections, sending the bench provider's key.</summary>
    public static CallInvoker Connect(Uri address) => HarnessTenant.Connect(address, ProviderKey).Invoker;

    public static string Recipient(int i) => $"user{i}@{Domain}";

    /// <summary>
    /// Gives each of <paramref name="recipients"/> recipients five records of every tier, through the bulk path
    /// (<c>Records/ImportRecords</c>: 200 recipients per call, <see cref="ImportCallsInFlight"/> calls at a time).
    /// </summary>
    public static async Task SeedAsync(CallInvoker invoker, int recipients, Action<int>? progress = null)
    {
        var records = new Records.RecordsClient(invoker);
        var done = 0;
        var batches = Enumerable.Range(0, (recipients + RecipientsPerImport - 1) / RecipientsPerImport);
        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = ImportCallsInFlight }, async (batch, _) =>
        {
            var items = Enumerable.Range(batch * RecipientsPerImport, Math.Min(RecipientsPerImport, recipients - (batch * RecipientsPerImport))).SelectMany(Records).ToList();

            // Items that failed for a reason to retry on (a busy machine, a large seeding) are sent again as a client
            // would: a record added twice is one record.
            for (var attempt = 0; items.Count > 0; attempt++)
            {
                var request = new ImportRecordsRequest();
                request.Records.AddRange(items);
                var answer = await ChaosContext.RetryAsync(async () => await records.ImportRecordsAsync(request));
                var failed = answer.Results.Select((r, i) => (Result: r, Item: items[i])).Where(r => r.Result.Code != (int)StatusCode.OK).ToList();
                if (failed.FirstOrDefault(f => f.Result.Code is not ((int)StatusCode.Unavailable or (int)StatusCode.DeadlineExceeded or (int)StatusCode.ResourceExhausted) || attempt >= 20) is { Result: not null } fatal)
                {
                    throw new InvalidOperationException($"seeding {fatal.Item.Recipient}: {(StatusCode)fatal.Result.Code} {fatal.Result.Error}");
                }

                items = [.. failed.Select(f => f.Item)];
            }

            var now = Interlocked.Add(ref done, RecipientsPerImport);
            if (now % 100_000 < RecipientsPerImport)
            {
                progress?.Invoke(Math.Min(now, recipients));
            }
        });
    }

    private static IEnumerable<AddRecordRequest> Records(int i)
    {
        var recipient = Recipient(i);
        AddRecordRequest Item(string pattern, RecordAction action, string message = "") => new() { Recipient = recipient, Pattern = pattern, Action = action, Message = message };
        yield return Item($"spam{i % 50}@bulk.example", RecordAction.Reject, "I asked you to stop.");
        yield return Item("*.promo.example", RecordAction.Discard);
        yield return Item(".xyz", RecordAction.Defer);
        yield return Item("friend@cheap.xyz", RecordAction.Allow);
        yield return Item("bad.example", RecordAction.Reject);
    }

    /// <summary>A fixed, repeatable mix: about 40% of checks match a record, the rest are accepted with no match.</summary>
    public static IReadOnlyList<CheckRecipientRequest> Checks(int recipients, int count = 10_000)
    {
        var random = new Random(42);
        string[] senders = ["spam{0}@bulk.example", "news@mail.promo.example", "offer@cheap.xyz", "friend@cheap.xyz", "a@bad.example", "colleague@work.example", "shop@store.example", "list@lists.example", "x@y.example", "me@home.example"];
        return Enumerable.Range(0, count).Select(_ => new CheckRecipientRequest
        {
            Recipient = Recipient(random.Next(recipients)),
            Sender = string.Format(System.Globalization.CultureInfo.InvariantCulture, senders[random.Next(senders.Length)], random.Next(50)),
        }).ToArray();
    }
}
