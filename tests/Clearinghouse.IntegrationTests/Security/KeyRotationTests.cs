using Clearinghouse.Api.V1;
using Clearinghouse.Gateway.Security;
using Grpc.Core;

namespace Clearinghouse.IntegrationTests;

public class KeyRotationTests
{
    [Fact]
    public async Task A_providers_key_is_rotated_through_a_settings_directory_without_a_restart()
    {
        // A mounted Kubernetes Secret: one file per key, named as the configuration key with '__' for ':'.
        var secrets = Directory.CreateTempSubdirectory("clearinghouse-secrets-").FullName;
        await File.WriteAllTextAsync(Path.Combine(secrets, "Clearinghouse__Providers__rotating__Domains__0"), "rotating.example");
        await File.WriteAllTextAsync(Path.Combine(secrets, "Clearinghouse__Providers__rotating__ApiKeySha256__0"), CallerDirectory.HashKey("old-key"));
        await using var host = await ClearinghouseTestHost.StartAsync(new Dictionary<string, string?> { ["Clearinghouse:SettingsDirectories:0"] = secrets });

        Assert.Equal(StatusCode.OK, await PingAsync(host, "old-key"));
        Assert.Equal(StatusCode.Unauthenticated, await PingAsync(host, "new-key"));

        // Step 1: add the new key beside the old one; both work while clients move.
        await File.WriteAllTextAsync(Path.Combine(secrets, "Clearinghouse__Providers__rotating__ApiKeySha256__1"), CallerDirectory.HashKey("new-key"));
        await WaitUntilAsync(async () => await PingAsync(host, "new-key") == StatusCode.OK);
        Assert.Equal(StatusCode.OK, await PingAsync(host, "old-key"));

        // Step 2: remove the old key.
        File.Delete(Path.Combine(secrets, "Clearinghouse__Providers__rotating__ApiKeySha256__0"));
        await WaitUntilAsync(async () => await PingAsync(host, "old-key") == StatusCode.Unauthenticated);
        Assert.Equal(StatusCode.OK, await PingAsync(host, "new-key"));
    }

    private static async Task<StatusCode> PingAsync(ClearinghouseTestHost host, string key)
    {
        try
        {
            var ping = await new Diagnostics.DiagnosticsClient(host.Invoker(key)).PingAsync(new PingRequest());
            Assert.Equal("rotating", ping.Provider);
            return StatusCode.OK;
        }
        catch (RpcException error)
        {
            return error.StatusCode;
        }
    }

    // The directory is polled every few seconds.
    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the change was not picked up within 30 s");
            await Task.Delay(250);
        }
    }
}
