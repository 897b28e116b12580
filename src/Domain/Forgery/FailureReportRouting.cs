namespace Clearinghouse.Domain;

/// <summary>Where a forged domain's failure report goes: its <c>ruf=</c> addresses, the configured fallback, or later (DNS failed).</summary>
public sealed record FailureReportRoute(IReadOnlyList<Address> Recipients, bool UseFallback, bool Retry, string Note);

/// <summary>
/// Finds where a forged domain's owner wants failure reports (RFC 7489 sections 6.3 and 7.1): the DMARC record at
/// <c>_dmarc.&lt;domain&gt;</c>, or failing that at a parent's (at most <see cref="MaxPolicyLookups"/> names, none shorter
/// than two labels), and its usable <c>ruf=</c> addresses (<see cref="DmarcRecord"/>). An address outside the domain
/// that published the record is used only when its domain authorises it with a <c>v=DMARC1</c> TXT record at
/// <c>&lt;domain&gt;._report._dmarc.&lt;ruf domain&gt;</c>; otherwise a forger could make the clearing house mail a third
/// party. An address whose <c>!size</c> is smaller than the report is skipped. No usable address: the fallback.
/// </summary>
public sealed class FailureReportRouting(ITxtRecords dns)
{
    public const int MaxPolicyLookups = 5;

    public async Task<FailureReportRoute> RouteAsync(string forgedDomain, long reportBytes, CancellationToken cancellationToken)
    {
        string? policyDomain = null;
        DmarcRecord? record = null;
        foreach (var candidate in PolicyCandidates(forgedDomain))
        {
            var answer = await dns.TxtAsync("_dmarc." + candidate, cancellationToken);
            if (answer.Status == TxtStatus.Failed)
            {
                return Later($"the DNS lookup of _dmarc.{candidate} failed");
            }

            var records = answer.Records.Where(DmarcRecord.IsDmarc).ToList();
            if (records.Count > 1)
            {
                return Fallback($"_dmarc.{candidate} has {records.Count} DMARC records (RFC 7489: none applies)");
            }

            if (records.Count == 1)
            {
                policyDomain = candidate;
                record = DmarcRecord.Parse(records[0]);
                break;
            }
        }

        if (record is null || policyDomain is null)
        {
            return Fallback($"{forgedDomain} publishes no DMARC record");
        }

        if (!record.WantsSpfOrDmarcFailureReports)
        {
            return Fallback($"the DMARC record of {policyDomain} asks only for DKIM failure reports (fo=d)");
        }

        if (record.FailureReportAddresses.Count == 0)
        {
            return Fallback($"the DMARC record of {policyDomain} has no usable mailto: ruf= address");
        }

        var recipients = new List<Address>();
        var notes = new List<string>();
        foreach (var ruf in record.FailureReportAddresses)
        {
            if (ruf.MaxBytes is { } max && max < reportBytes)
            {
                notes.Add($"{ruf.Mailbox.Value} accepts at most {max} bytes, the report has {reportBytes}");
                continue;
            }

            if (IsWithin(ruf.Mailbox.Domain, policyDomain))
            {
                recipients.Add(ruf.Mailbox);
                continue;
            }

            var authorisation = $"{policyDomain}._report._dmarc.{ruf.Mailbox.Domain}";
            var answer = await dns.TxtAsync(authorisation, cancellationToken);
            if (answer.Status == TxtStatus.Failed)
            {
                return Later($"the DNS lookup of {authorisation} failed");
            }

            if (answer.Records.Any(DmarcRecord.IsDmarc))
            {
                recipients.Add(ruf.Mailbox);
            }
            else
            {
                notes.Add($"{ruf.Mailbox.Value} is outside {policyDomain} and {authorisation} does not authorise it");
            }
        }

        var note = string.Join("; ", notes);
        return recipients.Count > 0 ? new FailureReportRoute(recipients, false, false, note) : Fallback(note);
    }

    /// <summary>Whether <paramref name="domain"/> is <paramref name="owner"/> or under it.</summary>
    public static bool IsWithin(string domain, string owner) =>
        string.Equals(domain, owner, StringComparison.Ordinal) || domain.EndsWith("." + owner, StringComparison.Ordinal);

    /// <summary>The domain, then its parents of at least two labels, at most <see cref="MaxPolicyLookups"/>.</summary>
    public static IReadOnlyList<string> PolicyCandidates(string domain)
    {
        var names = new List<string>();
        var name = domain.TrimEnd('.');
        while (names.Count < MaxPolicyLookups && name.Contains('.', StringComparison.Ordinal))
        {
            names.Add(name);
            name = name[(name.IndexOf('.', StringComparison.Ordinal) + 1)..];
        }

        return names;
    }

    private static FailureReportRoute Fallback(string note) => new([], true, false, note);

    private static FailureReportRoute Later(string note) => new([], false, true, note);
}
