using Clearinghouse.Domain;

namespace Clearinghouse.Grains.Forgery;

/// <summary>The TXT lookups of a silo without a co-hosted gateway (and so without a resolver): every lookup fails.</summary>
public sealed class NoTxtRecords : ITxtRecords
{
    public Task<TxtAnswer> TxtAsync(string name, CancellationToken cancellationToken) =>
        Task.FromResult(new TxtAnswer(TxtStatus.Failed, []));
}
