namespace Clearinghouse.Domain;

/// <summary>
/// A write refused because a documented limit is reached; <see cref="Field"/> names the field (or the limit) at fault.
/// The gateway answers <c>FAILED_PRECONDITION</c> when the caller must change something first (withdraw a request),
/// <c>RESOURCE_EXHAUSTED</c> when the same call may succeed later (<see cref="RetryLater"/>). Nothing was changed.
/// Serializable so that a grain may raise it.
/// </summary>
[GenerateSerializer]
public sealed class LimitReachedException : Exception
{
    public LimitReachedException(string field, string problem, bool retryLater)
        : base($"{field}: {problem}")
    {
        Field = field;
        Problem = problem;
        RetryLater = retryLater;
    }

    [Id(0)]
    public string Field { get; }

    [Id(1)]
    public string Problem { get; }

    [Id(2)]
    public bool RetryLater { get; }
}
