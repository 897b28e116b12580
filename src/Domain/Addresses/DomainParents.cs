namespace Clearinghouse.Domain;

/// <summary>
/// A domain's parents, longest first, as spans of the domain itself (no allocation): for <c>a.b.example</c>,
/// <c>b.example</c> then <c>example</c>; with <c>includeSelf</c>, <c>a.b.example</c> first. Every lookup that lets a
/// domain entry cover its subdomains walks these.
/// </summary>
public readonly ref struct DomainParents(ReadOnlySpan<char> domain, bool includeSelf = false)
{
    private readonly ReadOnlySpan<char> domain = domain;
    private readonly bool includeSelf = includeSelf;

    public Enumerator GetEnumerator() => new(domain, includeSelf);

    public ref struct Enumerator(ReadOnlySpan<char> domain, bool includeSelf)
    {
        private ReadOnlySpan<char> rest = domain;
        private bool pendingSelf = includeSelf && domain.Length > 0;

        public ReadOnlySpan<char> Current { get; private set; }

        public bool MoveNext()
        {
            if (pendingSelf)
            {
                pendingSelf = false;
                Current = rest;
                return true;
            }

            var dot = rest.IndexOf('.');
            if (dot < 0)
            {
                return false;
            }

            rest = rest[(dot + 1)..];
            Current = rest;
            return rest.Length > 0;
        }
    }
}
