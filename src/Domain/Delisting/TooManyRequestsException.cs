namespace Clearinghouse.Domain;

/// <summary>
/// A request beyond a limit (per requester or per subject): retry after <see cref="RetryAfter"/>. The public site
/// answers HTTP 429 with a <c>Retry-After</c> header. Serializable so that a grain may raise it.
/// </summary>
[GenerateSerializer]
public sealed class TooManyRequestsException : Exception
{
    public TooManyRequestsException(string message, TimeSpan retryAfter)
        : base(message)
    {
        RetryAfter = retryAfter;
    }

    [Id(0)]
    public TimeSpan RetryAfter { get; }
}
