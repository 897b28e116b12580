namespace Clearinghouse.Gateway;

/// <summary>Edge settings (configuration section <c>Clearinghouse:Gateway</c>).</summary>
public sealed class GatewayOptions
{
    public const string Section = "Clearinghouse:Gateway";

    /// <summary>How many checks of one stream may be waiting on grains at once; the stream stops reading beyond it.</summary>
    public int MaxConcurrentChecksPerStream { get; set; } = 512;

    /// <summary>
    /// How long the gateway waits for any grain call before it answers <c>DEADLINE_EXCEEDED</c>: well under an MTA's
    /// own timeout, so that a frozen silo costs a caller this much and no more, and short enough that a call through a
    /// healthy gateway never takes over 2 s.
    /// </summary>
    public TimeSpan GrainCallTimeout { get; set; } = TimeSpan.FromSeconds(1.5);

    /// <summary>
    /// The bound of a write to a recipient (records, list limits, do-not-send requests): longer than
    /// <see cref="GrainCallTimeout"/>, because before it is acknowledged such a write may wait for a frozen or cut-off
    /// silo's lease on its cached copy to run out (<c>Clearinghouse:RecipientCache:Lease</c> + <c>LeaseMargin</c>, 1.75 s) and,
    /// when that silo is declared dead meanwhile, for its own confirmation to run out (5.5 s more): see
    /// docs/RECIPIENT-CACHE.md.
    /// </summary>
    public TimeSpan WriteCallTimeout { get; set; } = TimeSpan.FromSeconds(15);
}
