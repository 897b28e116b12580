namespace Clearinghouse.Gateway.Public;

/// <summary>An answer of the public site other than success or bad input: its HTTP status and what to tell the caller.</summary>
public sealed class PublicSiteException(int status, string message) : Exception(message)
{
    public int Status => status;
}
