using Clearinghouse.Gateway.Security;
using Microsoft.Extensions.Options;

namespace Clearinghouse.UnitTests.Security;

/// <summary>Tenancy options that a test changes by hand, notifying listeners as a configuration reload would.</summary>
internal sealed class FixedOptions(TenancyOptions value) : IOptionsMonitor<TenancyOptions>
{
    private Action<TenancyOptions, string?>? listener;

    public TenancyOptions CurrentValue { get; private set; } = value;

    public TenancyOptions Get(string? name) => CurrentValue;

    public IDisposable OnChange(Action<TenancyOptions, string?> listener)
    {
        this.listener = listener;
        return new Unsubscribe(() => this.listener = null);
    }

    public void Change(TenancyOptions options)
    {
        CurrentValue = options;
        listener?.Invoke(options, null);
    }

    private sealed class Unsubscribe(Action action) : IDisposable
    {
        public void Dispose() => action();
    }
}
