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

    /// <summary>Gives each of <paramref name="recipients"/> recipients five records of every tier.</summary>
    public static async Task SeedAsync(CallInvoker invoker, int recipients)
    {
        var records = new Records.RecordsClient(invoker);
        await Parallel.ForEachAsync(Enumerable.Range(0, recipients), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, _) =>
        {
            var recipient = Recipient(i);

            // Retried as a client would while the cluster is slow to answer (a busy machine, a large seeding): a
            // record added twice is one record.
            Task Add(string pattern, RecordAction action, string message = "") =>
                ChaosContext.RetryAsync(async () => await records.AddRecordAsync(new AddRecordRequest { Recipient = recipient, Pattern = pattern, Action = action, Message = message }));
            await Add($"spam{i % 50}@bulk.example", RecordAction.Reject, "I asked you to stop.");
            await Add("*.promo.example", RecordAction.Discard);
            await Add(".xyz", RecordAction.Defer);
            await Add("friend@cheap.xyz", RecordAction.Allow);
            await Add("bad.example", RecordAction.Reject);
        });
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
