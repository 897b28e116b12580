using Clearinghouse.Api.V1;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Clearinghouse.IntegrationTests;

public class StreamShutdownTests
{
    [Fact]
    public async Task A_stopping_silo_ends_open_check_streams_with_Unavailable_after_answering_what_it_read()
    {
        await using var host = await ClearinghouseTestHost.StartAsync();
        using var call = host.Verdicts().CheckStream();
        for (ulong id = 1; id <= 5; id++)
        {
            await call.RequestStream.WriteAsync(new StreamCheckRequest { Id = id, Check = new CheckRecipientRequest { Recipient = $"streamed@{TestTenants.AcmeDomain}", Sender = "a@b.example" } });
        }

        var answered = new List<ulong>();
        for (var i = 0; i < 5; i++)
        {
            Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
            answered.Add(call.ResponseStream.Current.Id);
        }

        // SIGTERM does this; the client keeps its side of the stream open, as an MTA would.
        host.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var ended = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(timeout.Token));
        Assert.Equal(StatusCode.Unavailable, ended.StatusCode);
        Assert.Equal([1ul, 2, 3, 4, 5], answered.Order().ToArray());
    }
}
