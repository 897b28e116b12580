namespace Clearinghouse.Contracts;

/// <summary>
/// A write that, before it is acknowledged, may wait until a silent silo's lease on a cached copy has run out (see
/// docs/RECIPIENT-CACHE.md): the gateway bounds it by <c>Clearinghouse:Gateway:WriteCallTimeout</c>, not by the shorter
/// bound of checks.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class WaitsOutCacheLeasesAttribute : Attribute;
