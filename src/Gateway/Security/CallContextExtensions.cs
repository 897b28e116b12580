using Clearinghouse.Domain;
using Grpc.Core;

namespace Clearinghouse.Gateway.Security;

public static class CallContextExtensions
{
    /// <summary>The caller that <see cref="CallerInterceptor"/> authenticated.</summary>
    public static Caller Caller(this ServerCallContext context) =>
        context.UserState.TryGetValue(CallerInterceptor.CallerKey, out var caller) && caller is Caller known
            ? known
            : throw new RpcException(new Status(StatusCode.Unauthenticated, "a credential is required"));

    /// <summary>The caller, who must be a provider owning <paramref name="recipient"/>'s domain.</summary>
    public static Caller RequireOwner(this ServerCallContext context, Address recipient, string field = "recipient")
    {
        var caller = context.Caller();
        if (!caller.Owns(recipient))
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, $"{field}: the domain {recipient.Domain} is not one this provider manages"));
        }

        return caller;
    }

    /// <summary>The caller, who must be a provider (maps and lists belong to providers).</summary>
    public static Caller RequireProvider(this ServerCallContext context)
    {
        var caller = context.Caller();
        if (caller.Role != CallerRole.Provider)
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, "this call needs a provider credential"));
        }

        return caller;
    }

    /// <summary>Parses <paramref name="recipient"/>, which must be in a domain the calling provider owns.</summary>
    public static Address RequireOwnedRecipient(this ServerCallContext context, string recipient, string field = "recipient")
    {
        var address = Address.Parse(recipient, field);
        context.RequireOwner(address, field);
        return address;
    }

    public static Caller RequireOperator(this ServerCallContext context) => context.Caller().RequireOperator();
}
