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
}
