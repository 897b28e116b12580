namespace Clearinghouse.Contracts;

/// <summary>
/// A silo refused to answer from memory (its grains' state or its read cache) because it has not confirmed, within
/// the configured bound, that it is an active member of the cluster: it may have been frozen or cut off and declared
/// dead meanwhile, and another silo may have taken over its grains. The caller retries (on another gateway).
/// </summary>
[GenerateSerializer]
public sealed class NotAnActiveMemberException : Exception
{
    public NotAnActiveMemberException(string message)
        : base(message)
    {
    }
}
