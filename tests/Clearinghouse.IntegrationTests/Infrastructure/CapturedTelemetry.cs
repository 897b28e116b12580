using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Clearinghouse.IntegrationTests.Infrastructure;

/// <summary>
/// Everything a host writes to its logs (messages, structured values, scopes, exceptions) and every tag of every
/// activity started in the process, as text, while it is alive.
/// </summary>
public sealed class CapturedTelemetry : ILoggerProvider, ISupportExternalScope
{
    private readonly ConcurrentQueue<string> logs = new();
    private readonly ConcurrentQueue<string> traces = new();
    private readonly ActivityListener listener;
    private IExternalScopeProvider? scopes;

    public CapturedTelemetry()
    {
        listener = new ActivityListener
        {
            ShouldListenTo = _ => true,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity => traces.Enqueue(Describe(activity)),
        };
        ActivitySource.AddActivityListener(listener);
    }

    public IReadOnlyCollection<string> Logs => logs;

    public IReadOnlyCollection<string> Traces => traces;

    public ILogger CreateLogger(string categoryName) => new CapturingLogger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => scopes = scopeProvider;

    public void Dispose() => listener.Dispose();

    private static string Describe(Activity activity) =>
        $"{activity.Source.Name} {activity.DisplayName} {activity.OperationName} {activity.StatusDescription} "
        + string.Join(" ", activity.TagObjects.Select(t => $"{t.Key}={t.Value}"))
        + string.Join(" ", activity.Events.SelectMany(e => e.Tags.Select(t => $"{e.Name}:{t.Key}={t.Value}")))
        + string.Join(" ", activity.Baggage.Select(b => $"{b.Key}={b.Value}"));

    private sealed class CapturingLogger(CapturedTelemetry owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => owner.scopes?.Push(state);

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var text = new System.Text.StringBuilder($"{logLevel} {category}: {formatter(state, exception)} {exception}");
            if (state is IEnumerable<KeyValuePair<string, object?>> values)
            {
                foreach (var (key, value) in values)
                {
                    text.Append(' ').Append(key).Append('=').Append(value);
                }
            }

            owner.scopes?.ForEachScope((scope, builder) => builder.Append(" scope:").Append(scope), text);
            owner.logs.Enqueue(text.ToString());
        }
    }
}
