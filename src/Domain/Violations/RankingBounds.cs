namespace Clearinghouse.Domain;

/// <summary>
/// When a ranked cutoff may list a sender at all (see <see cref="ThresholdPolicy"/>).
/// </summary>
/// <param name="MinimumTopSenders">
/// The population must be large enough that its top 1/N holds at least this many senders: at least N × this many
/// ranked senders. Below that, "the top 1/N" is a handful of senders (the first sender reported is the top 1/100 of
/// one), the rounding up of N-ths adds up to a whole sender to it, and one report moves the cutoff.
/// </param>
/// <param name="MaxCutoffAge">A cutoff computed from histograms older than this (or not from every shard) lists nobody.</param>
public sealed record RankingBounds(int MinimumTopSenders, TimeSpan MaxCutoffAge)
{
    public static readonly RankingBounds Default = new(10, TimeSpan.FromMinutes(1));

    /// <summary>The fewest ranked senders for which the top 1/<paramref name="divisor"/> means something.</summary>
    public long MinimumPopulation(int divisor) => (long)divisor * MinimumTopSenders;
}
