using System.Collections.Concurrent;

namespace ViolationBench;

/// <summary>
/// Counts the grain calls the host receives, by interface and method (an incoming call filter in the bench's own
/// host): with the phase's report count, how many grain calls a report costs and which.
/// </summary>
internal sealed class GrainCallCounter : IIncomingGrainCallFilter
{
    private readonly ConcurrentDictionary<string, long> calls = new(StringComparer.Ordinal);

    public Task Invoke(IIncomingGrainCallContext context)
    {
        calls.AddOrUpdate($"{context.InterfaceName}.{context.MethodName}", 1, (_, n) => n + 1);
        return context.Invoke();
    }

    public IReadOnlyDictionary<string, long> Snapshot() => new Dictionary<string, long>(calls, StringComparer.Ordinal);
}
