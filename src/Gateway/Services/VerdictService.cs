using System.Threading.Channels;
using Clearinghouse.Domain;
using Clearinghouse.Gateway.Security;
using Clearinghouse.Gateway.Verdicts;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using V1 = Clearinghouse.Api.V1;

namespace Clearinghouse.Gateway.Services;

/// <summary>The verdict API over gRPC: validates at the edge and asks the <see cref="VerdictPipeline"/>.</summary>
public sealed class VerdictService(
    VerdictPipeline pipeline,
    IOptions<GatewayOptions> options,
    GatewayStopping stopping,
    [FromKeyedServices(ClearinghouseClock.Key)] TimeProvider clock) : V1.Verdicts.VerdictsBase
{
    private static readonly WriteOptions BufferedWrite = new(WriteFlags.BufferHint);
    private static readonly WriteOptions FlushedWrite = new();

    public override async Task<V1.Verdict> CheckRecipient(V1.CheckRecipientRequest request, ServerCallContext context)
    {
        var (verdict, verification) = await CheckAsync(request, context);
        return ProtoMapping.ToProto(verdict, verification);
    }

    public override async Task CheckStream(IAsyncStreamReader<V1.StreamCheckRequest> requestStream, IServerStreamWriter<V1.StreamCheckResponse> responseStream, ServerCallContext context)
    {
        // Checks run concurrently, up to a bound; one writer drains the answers because a stream's WriteAsync
        // is not thread-safe, and flushes only when no further answer is ready.
        var answers = System.Threading.Channels.Channel.CreateUnbounded<V1.StreamCheckResponse>(new UnboundedChannelOptions { SingleReader = true });
        var writing = WriteAnswersAsync(answers.Reader, responseStream);
        var slots = new SemaphoreSlim(options.Value.MaxConcurrentChecksPerStream);
        var running = new List<Task>();

        // A stream would hold a stopping silo until its shutdown timeout: when the host stops, the stream stops
        // reading, answers what it has read, and ends with Unavailable so that the client resends the rest elsewhere.
        using var readUntil = stopping.CallOrStopping(context);
        try
        {
            try
            {
                await foreach (var item in requestStream.ReadAllAsync(readUntil.Token))
                {
                    await slots.WaitAsync(readUntil.Token);
                    running.Add(AnswerAsync(item, context, answers.Writer, slots));
                    if (running.Count >= 4096)
                    {
                        running.RemoveAll(t => t.IsCompleted);
                    }
                }
            }
            catch (OperationCanceledException) when (stopping.StoppedByHost(context))
            {
                await Task.WhenAll(running);
                throw GatewayStopping.Unavailable("reconnect and resend the checks not answered");
            }

            await Task.WhenAll(running);
        }
        finally
        {
            answers.Writer.TryComplete();
            await writing;
        }
    }

    private async Task AnswerAsync(V1.StreamCheckRequest item, ServerCallContext context, ChannelWriter<V1.StreamCheckResponse> answers, SemaphoreSlim slots)
    {
        var answer = new V1.StreamCheckResponse { Id = item.Id };
        try
        {
            var (verdict, verification) = await CheckAsync(item.Check ?? new V1.CheckRecipientRequest(), context);
            answer.Verdict = ProtoMapping.ToProto(verdict, verification);
        }
        catch (Exception error)
        {
            var status = CallerInterceptor.ToStatus(error);
            answer.Error = new V1.CheckError { Code = (int)status.StatusCode, Message = status.Detail };
        }
        finally
        {
            slots.Release();
        }

        answers.TryWrite(answer);
    }

    private static async Task WriteAnswersAsync(ChannelReader<V1.StreamCheckResponse> answers, IServerStreamWriter<V1.StreamCheckResponse> responseStream)
    {
        while (await answers.WaitToReadAsync())
        {
            while (answers.TryRead(out var answer))
            {
                responseStream.WriteOptions = answers.TryPeek(out _) ? BufferedWrite : FlushedWrite;
                await responseStream.WriteAsync(answer);
            }
        }
    }

    private Task<CheckedVerdict> CheckAsync(V1.CheckRecipientRequest request, ServerCallContext context)
    {
        var recipient = Address.Parse(request.Recipient, "recipient");
        var sender = Address.Parse(request.Sender, "sender", allowNullSender: true, allowAsterisk: true);
        var channel = ProtoMapping.ToDomain(request.Channel);
        var clientIp = ProtoMapping.ToClientIp(request.ClientIp, required: false);
        var helo = ProtoMapping.ToHelo(request.Helo);
        var message = ViolationMapping.CheckedMessage(request, clock);
        var caller = context.RequireOwner(recipient);
        return pipeline.CheckRecipientAsync(new RecipientCheck(caller, recipient, sender, channel, clientIp, helo, message), context.CancellationToken);
    }
}
