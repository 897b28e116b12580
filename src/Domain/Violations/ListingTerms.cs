namespace Clearinghouse.Domain;

/// <summary>
/// How long a listing lasts and what happens after it.
/// </summary>
/// <param name="QuietPeriod">A listing lapses this long after the later of its listing and its last report.</param>
/// <param name="RecurrencePeriod">
/// For this long after an expiry or a delisting, new reports from the minimum number of providers list the sender again
/// at once, without the full threshold (a sender that resumes as soon as it is off the list is not given a free run).
/// </param>
/// <param name="MaxHistory">How many listing changes a sender keeps (the oldest are dropped).</param>
public sealed record ListingTerms(TimeSpan QuietPeriod, TimeSpan RecurrencePeriod, int MaxHistory)
{
    public static readonly ListingTerms Default = new(TimeSpan.FromDays(7), TimeSpan.FromDays(30), 50);
}
