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

    /// <summary>How long a stopping gateway keeps writing the answers of a stream whose client does not read them.</summary>
    private static readonly TimeSpan StoppingWriteGrace = TimeSpan.FromSeconds(2);

    public override async Task<V1.Verdict> CheckRecipient(V1.CheckRecipientRequest request, ServerCallContext context)
    {
        var (verdict, verification) = await CheckAsync(request, context);
        return ProtoMapping.ToProto(verdict, verification);
    }

    /// <summary>
    /// Many checks on one stream, answered as they complete. At most <see cref="GatewayOptions.MaxConcurrentChecksPerStream"/>
    /// checks are in flight: a slot is taken before a check is read and given back only once its answer has been written
    /// and flushed. A client that stops reading its answers therefore stops the reading of its checks, and HTTP/2 flow
    /// control holds its writes back: the server holds a bounded number of answers, however much the client sends.
    /// </summary>
    public override async Task CheckStream(IAsyncStreamReader<V1.StreamCheckRequest> requestStream, IServerStreamWriter<V1.StreamCheckResponse> responseStream, ServerCallContext context)
    {
        var inFlight = options.Value.MaxConcurrentChecksPerStream;
        var slots = new SemaphoreSlim(inFlight);

        // A stream would hold a stopping silo until its shutdown timeout: when the host stops, the stream stops
        // reading, answers what it has read, and ends with Unavailable so that the client resends the rest elsewhere.
        using var readUntil = stopping.OpenCheckStream(context);

        // Never more answers in it than slots. One writer drains it, because a stream's WriteAsync is not thread-safe.
        var answers = System.Threading.Channels.Channel.CreateUnbounded<V1.StreamCheckResponse>(new UnboundedChannelOptions { SingleReader = true });
        using var abandonWriting = new CancellationTokenSource();
        var writing = WriteAnswersAsync(answers.Reader, responseStream, slots, abandonWriting.Token, readUntil);
        var running = new List<Task>();
        try
        {
            try
            {
                while (true)
                {
                    await slots.WaitAsync(readUntil.Token);
                    if (!await requestStream.MoveNext(readUntil.Token))
                    {
                        break;
                    }

                    running.Add(AnswerAsync(requestStream.Current, context, answers.Writer));
                    if (running.Count >= 4096)
                    {
                        running.RemoveAll(t => t.IsCompleted);
                    }
                }
            }
            catch (OperationCanceledException) when (stopping.StoppedByHost(context))
            {
                // A client that does not read its answers does not hold the stop up for long.
                abandonWriting.CancelAfter(StoppingWriteGrace);
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

    private async Task AnswerAsync(V1.StreamCheckRequest item, ServerCallContext context, ChannelWriter<V1.StreamCheckResponse> answers)
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

        answers.TryWrite(answer);
    }

    /// <summary>
    /// Writes answers as they come, flushing when no further answer is ready; the slots of written answers are given
    /// back at each flush (an answer buffered but not flushed still takes memory). Ends when the channel completes, or
    /// early when the stream cannot be written to (the client went away) or writing is abandoned: then it stops the
    /// reading of checks too, since no slot would ever be given back.
    /// </summary>
    private static async Task WriteAnswersAsync(ChannelReader<V1.StreamCheckResponse> answers, IServerStreamWriter<V1.StreamCheckResponse> responseStream, SemaphoreSlim slots, CancellationToken abandon, CancellationTokenSource stopReading)
    {
        var unflushed = 0;
        try
        {
            while (await answers.WaitToReadAsync(abandon))
            {
                while (answers.TryRead(out var answer))
                {
                    var flush = !answers.TryPeek(out _);
                    responseStream.WriteOptions = flush ? FlushedWrite : BufferedWrite;
                    await responseStream.WriteAsync(answer, abandon);
                    unflushed++;
                    if (flush)
                    {
                        slots.Release(unflushed);
                        unflushed = 0;
                    }
                }
            }
        }
        catch (Exception error) when (error is OperationCanceledException or IOException or InvalidOperationException)
        {
            // Nobody reads these answers any more.
            await stopReading.CancelAsync();
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
