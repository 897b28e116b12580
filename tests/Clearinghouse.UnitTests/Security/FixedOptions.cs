using Microsoft.Extensions.Options;

namespace Clearinghouse.UnitTests.Security;

/// <summary>Options that a test changes by hand, notifying listeners as a configuration reload would.</summary>
internal sealed class FixedOptions<T>(T value) : IOptionsMonitor<T>
{
    private Action<T, string?>? listener;

    public T CurrentValue { get; private set; } = value;

    public T Get(string? name) => CurrentValue;

    public IDisposable OnChange(Action<T, string?> listener)
    {
        this.listener = listener;
        return new Unsubscribe(() => this.listener = null);
    }

    public void Change(T options)
    {
        CurrentValue = options;
        listener?.Invoke(options, null);
    }

    private sealed class Unsubscribe(Action action) : IDisposable
    {
        public void Dispose() => action();
    }
}
