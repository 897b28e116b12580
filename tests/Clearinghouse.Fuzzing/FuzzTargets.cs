using System.Reflection;
using Clearinghouse.Domain;
using Clearinghouse.Gateway.Verification;

namespace Clearinghouse.Fuzzing;

/// <summary>Every target in this assembly, found by type: adding a target is adding its class.</summary>
public static class FuzzTargets
{
    /// <summary>The assemblies whose parsers the targets exercise (the ones to instrument for coverage).</summary>
    public static readonly IReadOnlyList<Assembly> TargetAssemblies = [typeof(Address).Assembly, typeof(SpfRecord).Assembly];

    public static IReadOnlyList<FuzzTarget> All { get; } = typeof(FuzzTarget).Assembly.GetTypes()
        .Where(t => t.IsSubclassOf(typeof(FuzzTarget)) && !t.IsAbstract)
        .Select(t => (FuzzTarget)Activator.CreateInstance(t)!)
        .OrderBy(t => t.Name, StringComparer.Ordinal)
        .ToArray();

    public static FuzzTarget Find(string name) =>
        All.FirstOrDefault(t => t.Name == name)
        ?? throw new ArgumentException($"no fuzz target '{name}'; the targets are: {string.Join(", ", All.Select(t => t.Name))}");
}
