namespace Clearinghouse.Gateway.Grains;

/// <summary>Why a grain call made by the gateway failed, as far as the gateway can tell.</summary>
public enum GrainCallFailure
{
    /// <summary>No answer within <see cref="GatewayOptions.GrainCallTimeout"/>: a frozen or overloaded silo, or slow storage.</summary>
    TimedOut,

    /// <summary>This gateway's own host is stopping.</summary>
    GatewayStopping,

    /// <summary>The silo holding the grain is stopping, died, or is being declared dead.</summary>
    SiloUnavailable,

    /// <summary>No silo can take the grain (the cluster is starting, or has no active silo).</summary>
    NoSilo,

    /// <summary>The grain's storage failed the read or write.</summary>
    Storage,

    /// <summary>Another failure of the cluster runtime.</summary>
    Cluster,
}

/// <summary>
/// A grain call from the gateway that failed for a reason of the cluster's, not of the request's: the caller should
/// retry (on another gateway if there is one). Thrown by <see cref="GrainCallDeadline"/>; its message says what happened.
/// </summary>
public sealed class GrainCallFailedException(GrainCallFailure failure, string message, Exception? cause) : Exception(message, cause)
{
    public GrainCallFailure Failure { get; } = failure;
}
