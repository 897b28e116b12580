using Clearinghouse.Api.V1;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Clearinghouse.IntegrationTests;

/// <summary>Kestrel's socket transport takes its settings from <c>Kestrel:Sockets</c> (README, configuration).</summary>
public class SocketTransportTests
{
    [Fact]
    public async Task Kestrel_Sockets_settings_reach_the_socket_transport_and_a_silo_scheduling_inline_answers_checks()
    {
        await using var host = await ClearinghouseTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Kestrel:Sockets:UnsafePreferInlineScheduling"] = "true",
            ["Kestrel:Sockets:IOQueueCount"] = "1",
        });

        var transport = host.Services.GetRequiredService<IOptions<SocketTransportOptions>>().Value;
        Assert.True(transport.UnsafePreferInlineScheduling);
        Assert.Equal(1, transport.IOQueueCount);

        var recipient = $"ines-{Guid.NewGuid():n}@acme.example";
        await host.Records().AddRecordAsync(new AddRecordRequest { Recipient = recipient, Pattern = "blocked@inline.example", Action = RecordAction.Reject });
        var verdicts = host.Verdicts();
        var answers = await Task.WhenAll(Enumerable.Range(0, 200).Select(async i =>
            (await verdicts.CheckRecipientAsync(new CheckRecipientRequest { Recipient = recipient, Sender = i % 2 == 0 ? "blocked@inline.example" : "fine@inline.example" })).Action));
        Assert.Equal(100, answers.Count(a => a == VerdictAction.Reject));
        Assert.Equal(100, answers.Count(a => a == VerdictAction.Accept));
    }
}
