using Clearinghouse.Api.V1;
using Clearinghouse.Grains;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Storage;

namespace Clearinghouse.IntegrationTests;

public class RedactionTests
{
    [Fact]
    public async Task No_recipient_address_appears_in_logs_or_traces_even_at_trace_level_and_on_failures()
    {
        using var captured = new CapturedTelemetry();
        var local = $"Secret.Person-{Guid.NewGuid():N}";
        var recipient = $"{local}@{TestTenants.AcmeDomain}";
        await using (var host = await ClearinghouseTestHost.StartAsync(
            new Dictionary<string, string?>
            {
                ["Logging:LogLevel:Default"] = "Trace",
                ["Logging:LogLevel:Orleans"] = "Trace",
                ["Logging:LogLevel:Microsoft"] = "Trace",
                ["Logging:LogLevel:Grpc"] = "Trace",
                ["Clearinghouse:Telemetry:Traces"] = "true",
            },
            services =>
            {
                services.AddLogging(logging => logging.AddProvider(captured));

                // The first write of every grain fails, so that the storage error paths (which log grain ids) run.
                services.AddKeyedSingleton<IGrainStorage>(StorageNames.Clearinghouse, (provider, _) => new FailingFirstWriteStorage());
            }))
        {
            var records = host.Records();
            var failed = await Assert.ThrowsAsync<RpcException>(async () => await records.AddRecordAsync(new AddRecordRequest { Recipient = recipient, Pattern = "spam@bulk.example", Action = RecordAction.Reject }));
            Assert.Equal(StatusCode.Unavailable, failed.StatusCode);
            var added = await records.AddRecordAsync(new AddRecordRequest { Recipient = recipient.ToUpperInvariant(), Pattern = "spam@bulk.example", Action = RecordAction.Reject, Message = "no" });
            await records.ListRecordsAsync(new ListRecordsRequest { Recipient = recipient });
            await host.Verdicts().CheckRecipientAsync(new CheckRecipientRequest { Recipient = recipient, Sender = "spam@bulk.example" });
            await host.Verdicts().CheckRecipientAsync(new CheckRecipientRequest { Recipient = recipient, Sender = "friend@else.example" });
            await Assert.ThrowsAsync<RpcException>(async () => await host.Verdicts(TestTenants.OtherKey).CheckRecipientAsync(new CheckRecipientRequest { Recipient = recipient, Sender = "spam@bulk.example" }));
            await Assert.ThrowsAsync<RpcException>(async () => await records.AddRecordAsync(new AddRecordRequest { Recipient = recipient, Pattern = "bad pattern", Action = RecordAction.Reject }));
            await records.RemoveRecordAsync(new RemoveRecordRequest { Recipient = recipient, RecordId = added.Record.Id });

            // Every API (a new method gets a probe, so it is covered here too), as its rightful caller and as another provider.
            var target = new ProbeTarget(recipient, (await records.AddRecordAsync(new AddRecordRequest { Recipient = recipient, Pattern = "probe@bulk.example", Action = RecordAction.Reject })).Record.Id);
            foreach (var probe in ApiProbes.All)
            {
                var rightful = host.Invoker(probe.Scope == ApiScope.Operator ? TestTenants.OperatorKey : TestTenants.AcmeKey);
                for (var attempt = 1; ; attempt++)
                {
                    try
                    {
                        await probe.Call(rightful, target);
                        break;
                    }
                    catch (RpcException error) when (error.StatusCode == StatusCode.Unavailable && attempt < 4)
                    {
                        // The first write of each grain this probe reaches fails on purpose (an operator action reaches
                        // the audit trail's head and segment too); a client retries.
                    }
                }

                if (probe.Scope == ApiScope.RecipientOwner)
                {
                    await Assert.ThrowsAsync<RpcException>(() => probe.Call(host.Invoker(TestTenants.OtherKey), target));
                }
            }

            await host.Services.GetRequiredService<IGrainFactory>().GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        }

        Assert.True(captured.Logs.Count > 100, $"only {captured.Logs.Count} log entries were captured");
        var key = new Clearinghouse.Domain.RecipientKeys(TestTenants.RecipientKeySecret).For(Clearinghouse.Domain.Address.Parse(recipient, "recipient"));
        Assert.Contains(captured.Traces, t => t.Contains(key, StringComparison.Ordinal));
        Assert.Contains(captured.Logs, l => l.Contains(key, StringComparison.Ordinal));
        var leaks = captured.Logs.Where(l => l.Contains(local, StringComparison.OrdinalIgnoreCase)).ToList();
        Assert.True(leaks.Count == 0, "the recipient appears in these log entries:\n" + string.Join("\n", leaks));
        Assert.DoesNotContain(captured.Traces, t => t.Contains(local, StringComparison.OrdinalIgnoreCase));
    }

    private sealed class FailingFirstWriteStorage : IGrainStorage
    {
        private readonly MemoryStorage stored = new();
        private readonly HashSet<GrainId> failedOnce = [];

        public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => stored.ReadStateAsync(stateName, grainId, grainState);

        public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        {
            lock (failedOnce)
            {
                if (failedOnce.Add(grainId))
                {
                    throw new IOException($"storage unreachable while writing {grainId}");
                }
            }

            return stored.WriteStateAsync(stateName, grainId, grainState);
        }

        public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => stored.ClearStateAsync(stateName, grainId, grainState);

        private sealed class MemoryStorage : IGrainStorage
        {
            private readonly Dictionary<GrainId, object?> states = [];

            public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
            {
                lock (states)
                {
                    if (states.TryGetValue(grainId, out var state) && state is T typed)
                    {
                        grainState.State = typed;
                        grainState.RecordExists = true;
                    }
                }

                return Task.CompletedTask;
            }

            public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
            {
                lock (states)
                {
                    states[grainId] = grainState.State;
                }

                grainState.RecordExists = true;
                return Task.CompletedTask;
            }

            public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
            {
                lock (states)
                {
                    states.Remove(grainId);
                }

                return Task.CompletedTask;
            }
        }
    }
}
