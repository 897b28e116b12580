namespace Clearinghouse.Domain;

/// <summary>Failure reports to forged domains' owners (configuration section <c>Clearinghouse:Forgery</c>).</summary>
public sealed class ForgeryOptions
{
    public const string Section = "Clearinghouse:Forgery";

    /// <summary>
    /// A domain's owner gets at most one report per period: the period opens with the first forgery after the last
    /// report and its report (the count and a sample) is queued when it ends.
    /// </summary>
    public TimeSpan ReportPeriod { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Forged reports sampled into a period's report (the latest).</summary>
    public int MaxSamples { get; set; } = 5;

    /// <summary>Report keys a period remembers to count a report delivered again once; beyond it, a repeat counts again.</summary>
    public int MaxRememberedKeys { get; set; } = 10_000;

    /// <summary>How often the reminder that closes an open period after a restart ticks.</summary>
    public TimeSpan ReminderPeriod { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// The relay failure reports are sent through and their sender; <see cref="ArfMailSettings.To"/> is the fallback for
    /// a domain without a usable <c>ruf=</c> address (<c>{domain}</c> is replaced by the forged domain; empty: none).
    /// Without a <see cref="SmtpRelaySettings.Host"/> forgeries are counted and no report is sent.
    /// </summary>
    public ArfMailSettings Mail { get; set; } = new();

    public bool SendsReports => !string.IsNullOrWhiteSpace(Mail.Host) && !string.IsNullOrWhiteSpace(Mail.From);
}
