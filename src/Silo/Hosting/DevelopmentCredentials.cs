using System.Security.Cryptography;
using Clearinghouse.Domain;
using Clearinghouse.Gateway.Security;

namespace Clearinghouse.Silo.Hosting;

/// <summary>
/// The embedded (in-memory) system with no providers configured gets a development provider that owns every domain
/// and an operator, with well-known keys, so that it answers out of the box. Never applied to the durable profile.
/// </summary>
public static class DevelopmentCredentials
{
    public const string ProviderId = "local";
    public const string ProviderKey = "local-dev-key";
    public const string OperatorKey = "local-operator-key";
    public const string ConsoleOperator = "admin";
    public const int ConsolePort = 5090;

    public static bool ApplyIfNoneConfigured(ConfigurationManager configuration, ClearinghouseOptions options)
    {
        var configured = configuration.GetSection("Clearinghouse:Providers").GetChildren().Any();
        if (configured)
        {
            return false;
        }

        if (options.Storage != StorageMode.Memory)
        {
            throw new InvalidOperationException("No providers are configured (Clearinghouse:Providers): every call would be refused. Configure at least one provider with its domains and API key hash.");
        }

        configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"Clearinghouse:Providers:{ProviderId}:Domains:0"] = "*",
            [$"Clearinghouse:Providers:{ProviderId}:ApiKeySha256:0"] = CallerDirectory.HashKey(ProviderKey),
            ["Clearinghouse:Operators:ApiKeySha256:0"] = CallerDirectory.HashKey(OperatorKey),
        });
        return true;
    }

    /// <summary>
    /// The embedded (in-memory) system's operators' console: on with the development credentials (at
    /// 127.0.0.1:<see cref="ConsolePort"/> unless configured), and when no operator has a console password, an
    /// administrator <see cref="ConsoleOperator"/> gets one generated now. Returns that password (to print once), or
    /// null. There is no default password; the durable profile never gets one.
    /// </summary>
    public static string? ApplyConsoleAccountIfNone(ConfigurationManager configuration, ClearinghouseOptions options, bool developmentCredentials)
    {
        if (options.Storage != StorageMode.Memory)
        {
            return null;
        }

        if (developmentCredentials && string.IsNullOrEmpty(configuration["Clearinghouse:Console:Port"]))
        {
            configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Clearinghouse:Console:Port"] = ConsolePort.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        }

        var consoleOn = !string.IsNullOrEmpty(configuration["Clearinghouse:Console:Port"]);
        var anyPassword = configuration.GetSection("Clearinghouse:Operators").GetChildren().Any(o => !string.IsNullOrWhiteSpace(o["PasswordHash"]));
        if (!consoleOn || anyPassword)
        {
            return null;
        }

        var password = Convert.ToBase64String(RandomNumberGenerator.GetBytes(18)).Replace('+', '-').Replace('/', '_');
        configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"Clearinghouse:Operators:{ConsoleOperator}:PasswordHash"] = ConsolePasswords.Hash(password),
            [$"Clearinghouse:Operators:{ConsoleOperator}:Role"] = nameof(OperatorRole.Administrator),
        });
        return password;
    }

    /// <summary>
    /// The embedded (in-memory) system without a recipient key secret gets a random one: its state dies with the
    /// process anyway. The durable profile must configure it, the same on every silo and never changed.
    /// </summary>
    public static void ApplyRecipientKeySecretIfNone(ConfigurationManager configuration, ClearinghouseOptions options)
    {
        if (!string.IsNullOrEmpty(configuration[RecipientKeys.SecretSetting]))
        {
            return;
        }

        if (options.Storage != StorageMode.Memory)
        {
            throw new InvalidOperationException($"{RecipientKeys.SecretSetting} is not configured. Recipient grains (and their stored state) are keyed by a keyed hash of the address: set a random secret of at least {RecipientKeys.MinSecretLength} characters, the same on every silo, and never change it.");
        }

        configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [RecipientKeys.SecretSetting] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
        });
    }
}
