using System.Security.Cryptography;
using System.Text;
using Clearinghouse.Domain;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Clearinghouse.Gateway.Security;

/// <summary>
/// Resolves API keys (and DNS blocklist access keys) to callers by their SHA-256, and providers by id. Rebuilt
/// whenever the configuration changes, so keys rotate and providers are added without a restart.
/// </summary>
public sealed partial class CallerDirectory : IDisposable
{
    private readonly ILogger<CallerDirectory> logger;
    private readonly IDisposable? subscription;
    private volatile Callers callers;

    public CallerDirectory(IOptionsMonitor<TenancyOptions> options, ILogger<CallerDirectory> logger)
    {
        this.logger = logger;
        callers = Build(options.CurrentValue);
        subscription = options.OnChange(Reload);
    }

    public int ProviderCount => callers.ById.Count;

    public bool TryAuthenticate(ReadOnlySpan<char> apiKey, out Caller caller)
    {
        caller = null!;
        if (apiKey.IsEmpty)
        {
            return false;
        }

        return callers.ByKeyHash.TryGetValue(HashKey(apiKey), out caller!);
    }

    /// <summary>The provider a DNS blocklist access key belongs to.</summary>
    public bool TryAuthenticateDnsblKey(ReadOnlySpan<char> accessKey, out Caller caller)
    {
        caller = null!;
        var current = callers;
        return !accessKey.IsEmpty && current.ByDnsblKeyHash.Count > 0 && current.ByDnsblKeyHash.TryGetValue(HashKey(accessKey), out caller!);
    }

    /// <summary>The configured provider <paramref name="id"/> (a Postfix policy listener serves one).</summary>
    public bool TryGetProvider(string id, out Caller caller) => callers.ById.TryGetValue(id, out caller!);

    /// <summary>The hex SHA-256 under which a key is configured.</summary>
    public static string HashKey(ReadOnlySpan<char> apiKey)
    {
        Span<byte> utf8 = stackalloc byte[Encoding.UTF8.GetMaxByteCount(Math.Min(apiKey.Length, 512))];
        var length = Encoding.UTF8.GetBytes(apiKey[..Math.Min(apiKey.Length, 512)], utf8);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(utf8[..length], hash);
        return Convert.ToHexStringLower(hash);
    }

    public void Dispose() => subscription?.Dispose();

    private void Reload(TenancyOptions changed)
    {
        try
        {
            callers = Build(changed);
            LogReloaded(ProviderCount);
        }
        catch (OptionsValidationException error)
        {
            LogReloadRejected(error.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Credentials reloaded: {ProviderCount} providers")]
    private partial void LogReloaded(int providerCount);

    [LoggerMessage(Level = LogLevel.Error, Message = "Changed credentials were refused and the previous ones stay in force: {Problem}")]
    private partial void LogReloadRejected(string problem);

    private static Callers Build(TenancyOptions options)
    {
        var byHash = new Dictionary<string, Caller>(StringComparer.Ordinal);
        var byDnsblKeyHash = new Dictionary<string, Caller>(StringComparer.Ordinal);
        var byId = new Dictionary<string, Caller>(StringComparer.Ordinal);
        foreach (var (id, provider) in options.Providers)
        {
            if (provider.MaxRecordsPerRecipient is < 1 or > ListLimits.MaxRecords)
            {
                throw new OptionsValidationException(id, typeof(TenancyOptions), [$"provider '{id}' MaxRecordsPerRecipient must be between 1 and {ListLimits.MaxRecords}"]);
            }

            var caller = new Caller(id, CallerRole.Provider, provider.Domains.Select(d => NormalizeOwnedDomain(id, d)), provider.MaxRecordsPerRecipient);
            foreach (var hash in provider.ApiKeySha256)
            {
                Add(byHash, hash, caller);
            }

            foreach (var hash in provider.DnsblKeySha256)
            {
                Add(byDnsblKeyHash, hash, caller);
            }

            byId[id] = caller;
        }

        var unnamed = new Caller(OperatorOptions.UnnamedOperator, CallerRole.Operator, []);
        foreach (var hash in options.Operators.ApiKeySha256)
        {
            Add(byHash, hash, unnamed);
        }

        foreach (var (name, hashes) in options.Operators.Named)
        {
            if (!IsOperatorName(name))
            {
                throw new OptionsValidationException(name, typeof(TenancyOptions), [$"operator name '{name}' must be 1 to {MaxOperatorName} letters, digits, '.', '_', '-' or '@'"]);
            }

            if (options.Providers.ContainsKey(name))
            {
                throw new OptionsValidationException(name, typeof(TenancyOptions), [$"'{name}' is configured as a provider and as an operator"]);
            }

            var named = new Caller(name, CallerRole.Operator, []);
            foreach (var hash in hashes)
            {
                Add(byHash, hash, named);
            }
        }

        return new Callers(byHash, byDnsblKeyHash, byId);
    }

    private const int MaxOperatorName = 64;

    private static bool IsOperatorName(string name) =>
        name.Length is > 0 and <= MaxOperatorName && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '@');

    private static void Add(Dictionary<string, Caller> byHash, string hash, Caller caller)
    {
        var normalized = hash.Trim().ToLowerInvariant();
        if (normalized.Length != SHA256.HashSizeInBytes * 2 || !normalized.All(char.IsAsciiHexDigit))
        {
            throw new OptionsValidationException(caller.Id, typeof(TenancyOptions), [$"API key hash for '{caller.Id}' is not a hex SHA-256"]);
        }

        if (!byHash.TryAdd(normalized, caller))
        {
            throw new OptionsValidationException(caller.Id, typeof(TenancyOptions), [$"the same API key hash is configured for '{byHash[normalized].Id}' and '{caller.Id}'"]);
        }
    }

    private static string NormalizeOwnedDomain(string providerId, string domain)
    {
        var text = domain.Trim();
        if (text == "*")
        {
            return text;
        }

        var wildcard = text.StartsWith("*.", StringComparison.Ordinal);
        if (!DomainName.TryNormalize(wildcard ? text[2..] : text, out var normalized, out var problem))
        {
            throw new OptionsValidationException(providerId, typeof(TenancyOptions), [$"provider '{providerId}' domain '{domain}': {problem}"]);
        }

        return wildcard ? "*." + normalized : normalized;
    }

    private sealed record Callers(
        Dictionary<string, Caller> ByKeyHash,
        Dictionary<string, Caller> ByDnsblKeyHash,
        Dictionary<string, Caller> ById);
}
