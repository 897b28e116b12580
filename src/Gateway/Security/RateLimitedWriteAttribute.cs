namespace Clearinghouse.Gateway.Security;

/// <summary>
/// Marks a gRPC service method as a write: <see cref="CallerInterceptor"/> charges it to the caller's write rate
/// limit (<see cref="IWriteLimiter"/>) and refuses it with <c>ResourceExhausted</c> beyond it. Put it on every
/// method that changes state. A streaming method is charged once per call; charge its items with
/// <see cref="IWriteLimiter.AcquireAsync"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = true)]
public sealed class RateLimitedWriteAttribute : Attribute;
