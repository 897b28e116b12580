using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace Clearinghouse.IntegrationTests.Infrastructure;

/// <summary>What an injected storage fault does to a write.</summary>
public enum WriteFault
{
    /// <summary>The write does not reach storage and fails (a refused or lost request).</summary>
    FailBeforeWriting,

    /// <summary>
    /// The write reaches storage, then the caller sees a failure as if the answer timed out: the dangerous case, where
    /// storage holds the change the caller was told failed (and the grain's ETag is stale).
    /// </summary>
    TimeoutAfterWriting,
}

/// <summary>
/// Wraps a real grain storage (the recording memory store, or the Redis provider) and fails chosen writes: the Nth
/// write that matches a filter, before or after it reaches storage. Reads and clears pass through. Lets a test assert
/// on what the real storage holds after a failure and the caller's retry.
/// </summary>
public sealed class FaultInjectingGrainStorage(IGrainStorage inner) : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
{
    private readonly ConcurrentQueue<ArmedFault> faults = new();
    private int injected;

    /// <summary>Faults injected so far.</summary>
    public int Injected => Volatile.Read(ref injected);

    /// <summary>
    /// Fails the <paramref name="nth"/> write (1 = the next) for which <paramref name="matches"/> holds, given the state
    /// name, the grain and the state being written. Completes when that write has been failed.
    /// </summary>
    public Task Arm(WriteFault fault, Func<string, GrainId, object?, bool> matches, int nth = 1)
    {
        var armed = new ArmedFault(fault, matches, nth);
        faults.Enqueue(armed);
        return armed.Fired.Task;
    }

    /// <summary>Fails the <paramref name="nth"/> write of <paramref name="grain"/>'s state (any state name).</summary>
    public Task Arm(WriteFault fault, GrainId grain, int nth = 1) => Arm(fault, (_, id, _) => id == grain, nth);

    /// <summary>
    /// Holds the next write for which <paramref name="matches"/> holds until <paramref name="release"/> completes (a slow
    /// store), then lets it through. The returned task completes when the write is being held.
    /// </summary>
    public Task Hold(Func<string, GrainId, object?, bool> matches, Task release)
    {
        var armed = new ArmedFault(WriteFault.FailBeforeWriting, matches, 1) { Release = release };
        faults.Enqueue(armed);
        return armed.Fired.Task;
    }

    /// <summary>Disarms every fault not yet fired.</summary>
    public void Disarm() => faults.Clear();

    /// <summary>What storage holds for a grain's state (read through the real store, as a reactivation would).</summary>
    public async Task<T?> ReadStoredAsync<T>(string stateName, GrainId grain)
    {
        var state = new GrainState<T>();
        await inner.ReadStateAsync(stateName, grain, state);
        return state.RecordExists ? state.State : default;
    }

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.ReadStateAsync(stateName, grainId, grainState);

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var fault = Take(stateName, grainId, grainState.State);
        if (fault is null)
        {
            await inner.WriteStateAsync(stateName, grainId, grainState);
            return;
        }

        if (fault.Release is { } release)
        {
            fault.Fired.TrySetResult();
            await release;
            await inner.WriteStateAsync(stateName, grainId, grainState);
            return;
        }

        Interlocked.Increment(ref injected);
        if (fault.Fault == WriteFault.TimeoutAfterWriting)
        {
            // The store wrote it; the caller never learns the new ETag, as when the answer is lost.
            var etag = grainState.ETag;
            var existed = grainState.RecordExists;
            await inner.WriteStateAsync(stateName, grainId, grainState);
            grainState.ETag = etag;
            grainState.RecordExists = existed;
            fault.Fired.TrySetResult();
            throw new InjectedStorageFaultException($"injected: {stateName} was written, then the answer timed out");
        }

        fault.Fired.TrySetResult();
        throw new InjectedStorageFaultException($"injected: the write of {stateName} did not reach storage");
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.ClearStateAsync(stateName, grainId, grainState);

    public void Participate(ISiloLifecycle lifecycle) => (inner as ILifecycleParticipant<ISiloLifecycle>)?.Participate(lifecycle);

    /// <summary>
    /// Replaces the silo's grain storage <paramref name="name"/> (as configured: memory, Redis) by a fault-injecting
    /// wrapper around it, also registered as a plain singleton for the test to arm.
    /// </summary>
    public static void Decorate(IServiceCollection services, string name)
    {
        var original = services.Single(d => d.ServiceType == typeof(IGrainStorage) && d.IsKeyedService && Equals(d.ServiceKey, name));
        var factory = original.KeyedImplementationFactory ?? throw new InvalidOperationException($"grain storage '{name}' is not registered by a factory");
        services.Remove(original);
        services.AddSingleton(provider => new FaultInjectingGrainStorage((IGrainStorage)factory(provider, name)));
        services.AddKeyedSingleton<IGrainStorage>(name, (provider, _) => provider.GetRequiredService<FaultInjectingGrainStorage>());
    }

    private ArmedFault? Take(string stateName, GrainId grainId, object? state)
    {
        foreach (var fault in faults)
        {
            if (!fault.Fired.Task.IsCompleted && fault.Matches(stateName, grainId, state) && Interlocked.Decrement(ref fault.Remaining) == 0)
            {
                return fault;
            }
        }

        return null;
    }

    private sealed class ArmedFault(WriteFault fault, Func<string, GrainId, object?, bool> matches, int nth)
    {
        public int Remaining = nth;

        public WriteFault Fault { get; } = fault;

        public Func<string, GrainId, object?, bool> Matches { get; } = matches;

        public TaskCompletionSource Fired { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Set for a held write instead of a failure.</summary>
        public Task? Release { get; init; }
    }
}

/// <summary>A storage failure a test injected.</summary>
public sealed class InjectedStorageFaultException(string message) : IOException(message);
