using Clearinghouse.Domain;

namespace Clearinghouse.Contracts;

/// <summary>
/// A silo's memory of recipients' snapshots, so that a gateway answers checks without a grain call wherever the
/// recipient's grain lives (see docs/RECIPIENT-CACHE.md). Null means "ask the grain": a sender with a do-not-send
/// request (the check may record a violation), or a silo that may not answer from memory now.
/// </summary>
public interface IRecipientReadCache
{
    ValueTask<Verdict?> TryCheckAsync(string recipientKey, CheckRequest request);
}

/// <summary>For a process that hosts no silo (a gateway running as a plain Orleans client): every check asks the grain.</summary>
public sealed class NoRecipientReadCache : IRecipientReadCache
{
    public ValueTask<Verdict?> TryCheckAsync(string recipientKey, CheckRequest request) => new((Verdict?)null);
}
