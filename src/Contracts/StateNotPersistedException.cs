namespace Clearinghouse.Contracts;

/// <summary>
/// A grain could not confirm that a change reached storage (the write failed, or may have happened though the store
/// reported a failure), or it is reloading its state after such a failure. Nothing was acknowledged: retry the call,
/// which is idempotent. The gateway answers it with <c>UNAVAILABLE</c>. It carries no inner exception: a storage
/// provider's exception need not be serializable (the silo logs it).
/// </summary>
[GenerateSerializer]
public sealed class StateNotPersistedException : OrleansException
{
    public StateNotPersistedException(string message)
        : base(message)
    {
    }
}
