using System.Diagnostics.Metrics;
using Clearinghouse.Api.V1;
using Grpc.Core;
using Xunit.Abstractions;

namespace Clearinghouse.IntegrationTests;

public class CheckStreamFlowControlTests(ITestOutputHelper output)
{
    private const int MaxInFlight = 64;
    private const int Checks = 60_000;

    [Fact]
    public async Task A_client_that_sends_checks_and_never_reads_the_answers_is_held_back_and_the_server_queues_a_bounded_number_of_answers()
    {
        await using var host = await ClearinghouseTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Clearinghouse:Gateway:MaxConcurrentChecksPerStream"] = MaxInFlight.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        var recipient = $"flow@{TestTenants.AcmeDomain}";
        await host.Records().AddRecordAsync(new AddRecordRequest { Recipient = recipient, Pattern = "spam.example", Action = RecordAction.Reject });
        using var verdicts = new VerdictCounter();

        using var call = host.Verdicts().CheckStream();
        var sent = 0;
        var sending = Task.Run(async () =>
        {
            for (var id = 1; id <= Checks; id++)
            {
                await call.RequestStream.WriteAsync(new StreamCheckRequest { Id = (ulong)id, Check = new CheckRecipientRequest { Recipient = recipient, Sender = "a@spam.example" } });
                Volatile.Write(ref sent, id);
            }

            await call.RequestStream.CompleteAsync();
        });

        // Every answer the server computed and could not hand to the client is held by the server. It must stop
        // computing once a bounded number waits (its own slots, and the HTTP/2 buffers of both sides), and the client's
        // writes must be held back by HTTP/2 flow control, not read and answered into an ever longer queue.
        await Settle.UntilQuietAsync(() => (int)verdicts.Count, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(60));
        var computed = verdicts.Count;
        await Task.Delay(TimeSpan.FromSeconds(1));
        output.WriteLine($"client sent {Volatile.Read(ref sent)} of {Checks} checks; the server computed {computed} verdicts and then {verdicts.Count - computed} more");
        Assert.False(sending.IsCompleted, "the client could send every check without reading a single answer");
        Assert.True(computed < 10_000, $"the server computed {computed} verdicts nobody read");
        Assert.Equal(computed, verdicts.Count);

        // Once the client reads, everything flows again: every check is answered, once.
        var answered = new HashSet<ulong>();
        await foreach (var answer in call.ResponseStream.ReadAllAsync())
        {
            Assert.Equal(VerdictAction.Reject, answer.Verdict.Action);
            Assert.True(answered.Add(answer.Id));
        }

        await sending;
        Assert.Equal(Checks, answered.Count);
    }

    /// <summary>Verdicts given in this process (<c>clearinghouse.verdicts</c>), while it is alive.</summary>
    private sealed class VerdictCounter : IDisposable
    {
        private readonly MeterListener listener = new();
        private long count;

        public VerdictCounter()
        {
            listener.InstrumentPublished = (instrument, l) =>
            {
                if (instrument == Clearinghouse.Domain.ClearinghouseTelemetry.Verdicts)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            };
            listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref count, value));
            listener.Start();
        }

        public long Count => Interlocked.Read(ref count);

        public void Dispose() => listener.Dispose();
    }
}
