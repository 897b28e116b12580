using Clearinghouse.Contracts;
using Clearinghouse.Domain;
using Clearinghouse.Gateway.Grains;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Clearinghouse.Gateway.Security;

/// <summary>
/// Authenticates every call except health checks and reflection (<c>authorization: Bearer &lt;key&gt;</c> or
/// <c>x-api-key</c>), makes the caller available to services through <see cref="CallContextExtensions.Caller"/>,
/// and turns domain errors into gRPC status codes: invalid input into <c>InvalidArgument</c> naming the field,
/// a grain call that ran out of time into <c>DeadlineExceeded</c> and an unreachable silo or storage into
/// <c>Unavailable</c>, each saying what happened (see <see cref="GrainCallDeadline"/>), so that callers retry. Methods marked
/// <see cref="RateLimitedWriteAttribute"/> are charged to the caller's write limit.
/// </summary>
public sealed partial class CallerInterceptor(CallerDirectory directory, IWriteLimiter writeLimits, ILogger<CallerInterceptor> logger) : Interceptor
{
    internal const string CallerKey = "clearinghouse.caller";

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await AuthenticateAsync(context);
            return await continuation(request, context);
        }
        catch (Exception error) when (error is not RpcException)
        {
            throw ToRpcException(error, context);
        }
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await AuthenticateAsync(context);
            await continuation(requestStream, responseStream, context);
        }
        catch (Exception error) when (error is not RpcException)
        {
            throw ToRpcException(error, context);
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await AuthenticateAsync(context);
            await continuation(request, responseStream, context);
        }
        catch (Exception error) when (error is not RpcException)
        {
            throw ToRpcException(error, context);
        }
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await AuthenticateAsync(context);
            return await continuation(requestStream, context);
        }
        catch (Exception error) when (error is not RpcException)
        {
            throw ToRpcException(error, context);
        }
    }

    /// <summary>The status a failed check or write is reported with, also used per item on streams.</summary>
    public static Status ToStatus(Exception error) => error switch
    {
        RpcException rpc => rpc.Status,
        InvalidFieldException invalid => new Status(StatusCode.InvalidArgument, invalid.Message),
        NotAnActiveMemberException notMember => new Status(StatusCode.Unavailable, notMember.Message),
        GrainCallFailedException { Failure: GrainCallFailure.TimedOut } timedOut => new Status(StatusCode.DeadlineExceeded, timedOut.Message),
        GrainCallFailedException failed => new Status(StatusCode.Unavailable, failed.Message),
        LimitReachedException limit => new Status(limit.RetryLater ? StatusCode.ResourceExhausted : StatusCode.FailedPrecondition, limit.Message),
        OperationCanceledException => new Status(StatusCode.Cancelled, "the call was cancelled"),
        TimeoutException or Orleans.Runtime.OrleansException => new Status(StatusCode.Unavailable, $"the cluster could not complete the call ({error.GetType().Name}): retry"),
        _ => new Status(StatusCode.Internal, "internal error"),
    };

    private RpcException ToRpcException(Exception error, ServerCallContext context)
    {
        var status = ToStatus(error);
        if (status.StatusCode is StatusCode.Internal or StatusCode.Unavailable or StatusCode.DeadlineExceeded)
        {
            LogCallFailed(error, context.Method);
        }

        return new RpcException(status);
    }

    private ValueTask AuthenticateAsync(ServerCallContext context)
    {
        if (IsOpenMethod(context.Method))
        {
            return ValueTask.CompletedTask;
        }

        var caller = Identify(context);
        context.UserState[CallerKey] = caller;
        return context.GetHttpContext().GetEndpoint()?.Metadata.GetMetadata<RateLimitedWriteAttribute>() is not null
            ? writeLimits.AcquireAsync(caller)
            : ValueTask.CompletedTask;
    }

    private Caller Identify(ServerCallContext context)
    {
        var key = ReadApiKey(context);
        if (key is null)
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, "a credential is required: send 'authorization: Bearer <api key>'"));
        }

        if (!directory.TryAuthenticate(key, out var caller))
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, "the API key is not recognised"));
        }

        return caller;
    }

    private static bool IsOpenMethod(string method) =>
        method.StartsWith("/grpc.health.v1.", StringComparison.Ordinal)
        || method.StartsWith("/grpc.reflection.", StringComparison.Ordinal);

    // Read from the HTTP request directly: ServerCallContext.RequestHeaders builds a new Metadata collection per call.
    private static string? ReadApiKey(ServerCallContext context)
    {
        var headers = context.GetHttpContext().Request.Headers;
        var authorization = headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return authorization[7..].Trim();
        }

        var apiKey = headers["x-api-key"].ToString();
        return apiKey.Length > 0 ? apiKey.Trim() : null;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "gRPC call {Method} failed")]
    private partial void LogCallFailed(Exception error, string method);
}
