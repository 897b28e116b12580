namespace Clearinghouse.Contracts;

/// <summary>
/// A call reached an activation of a grain after another activation of the same grain wrote (Orleans' directory allows
/// two briefly around a membership change): this one's state is older than storage's, so it refuses the call and
/// deactivates. The caller retries; the retry finds the writer, or an activation that loads what storage holds.
/// </summary>
[GenerateSerializer]
public sealed class ActivationSupersededException : Exception
{
    public ActivationSupersededException(string message)
        : base(message)
    {
    }
}
