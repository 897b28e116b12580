namespace Clearinghouse.Gateway;

/// <summary>Edge settings (configuration section <c>Clearinghouse:Gateway</c>).</summary>
public sealed class GatewayOptions
{
    public const string Section = "Clearinghouse:Gateway";

    /// <summary>How many checks of one stream may be waiting on grains at once; the stream stops reading beyond it.</summary>
    public int MaxConcurrentChecksPerStream { get; set; } = 512;
}
