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
    /// The bound of a write to a recipient (records, list limits, do-not-send requests): a little longer than
    /// <see cref="GrainCallTimeout"/>, because before it is acknowledged such a write may wait for a frozen, killed or
    /// cut-off silo's lease on its cached copy to run out (<c>Clearinghouse:RecipientCache:Lease</c> + <c>LeaseMargin</c>,
    /// 1.75 s), and still under 2 s, so that no call through a healthy gateway takes longer. Writes held longer (to a grain
    /// on a frozen silo until it is declared dead; after such a death, until the dead silo can no longer answer from
    /// memory, about 5.5 s: docs/RECIPIENT-CACHE.md) are answered <c>DEADLINE_EXCEEDED</c> and take effect when the
    /// wait ends; a client retries. Set it above 7.5 s to have them wait instead.
    /// </summary>
    public TimeSpan WriteCallTimeout { get; set; } = TimeSpan.FromSeconds(1.9);
}
