using StackExchange.Redis;

namespace Clearinghouse.Silo.Hosting;

/// <summary>
/// Warns at start when the Redis server does not persist with an append-only file: without it a Redis restart
/// loses membership (silos then loop) and every acknowledged write since the last snapshot.
/// </summary>
public sealed partial class RedisDurabilityCheck(ClearinghouseOptions options, ILogger<RedisDurabilityCheck> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            var configuration = ConfigurationOptions.Parse(options.Redis.ConnectionString);
            configuration.AllowAdmin = true;
            configuration.AbortOnConnectFail = false;
            await using var redis = await ConnectionMultiplexer.ConnectAsync(configuration);
            var server = redis.GetServers().FirstOrDefault(s => s.IsConnected);
            if (server is null)
            {
                LogUnreachable();
                return;
            }

            var settings = (await server.ConfigGetAsync("append*")).ToDictionary(p => p.Key, p => p.Value);
            var appendOnly = settings.GetValueOrDefault("appendonly", "?");
            var fsync = settings.GetValueOrDefault("appendfsync", "?");
            if (appendOnly != "yes")
            {
                LogNoAppendOnly();
            }
            else if (fsync != "always")
            {
                LogFsyncNotAlways(fsync);
            }
            else
            {
                LogAppendOnly(fsync);
            }
        }
        catch (RedisException error)
        {
            LogCheckFailed(error.Message);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Critical, Message = "Redis runs WITHOUT appendonly: a Redis restart loses cluster membership and acknowledged writes. Set 'appendonly yes' (and 'appendfsync always' to lose nothing).")]
    private partial void LogNoAppendOnly();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis appendfsync is '{Fsync}': acknowledged writes can be lost when Redis dies, even without a machine crash (Redis answers before writing while an fsync lags). Set 'appendfsync always' to lose nothing.")]
    private partial void LogFsyncNotAlways(string fsync);

    [LoggerMessage(Level = LogLevel.Information, Message = "Redis persists with an append-only file (appendfsync {Fsync})")]
    private partial void LogAppendOnly(string fsync);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis was not reachable at start; its persistence settings were not checked")]
    private partial void LogUnreachable();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read Redis persistence settings (CONFIG may be disabled): {Problem}")]
    private partial void LogCheckFailed(string problem);
}
