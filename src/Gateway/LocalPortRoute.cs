namespace Clearinghouse.Gateway;

/// <summary>
/// Endpoint metadata: the endpoint answers only requests that arrived on <see cref="Port"/>. The public site and the
/// operators' console each have a port of their own and both have a page at <c>/</c>; without this, routing would
/// see two endpoints for one path and answer neither (see <see cref="LocalPortMatcherPolicy"/>).
/// </summary>
public sealed record LocalPortRoute(int Port);
