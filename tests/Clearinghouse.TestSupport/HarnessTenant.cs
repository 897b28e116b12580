using System.Security.Cryptography;
using System.Text;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;

namespace Clearinghouse.TestSupport;

/// <summary>The one provider a harness run acts as, and how to connect as it.</summary>
public static class HarnessTenant
{
    public const string ProviderId = "harness";
    public const string ProviderKey = "harness-provider-key";
    public const string Domain = "harness.example";

    /// <summary>The operator's key, for reading back what a run wrote through the operator API.</summary>
    public const string OperatorKey = "harness-operator-key";

    /// <summary>Shared by every silo of a run: recipient grains are keyed by a keyed hash with it.</summary>
    public const string RecipientKeySecret = "harness-recipient-key-secret";

    /// <summary>The provider, the recipient key secret, and no write limit (runs measure other things).</summary>
    public static Dictionary<string, string> Settings() => new()
    {
        [$"Clearinghouse:Providers:{ProviderId}:Domains:0"] = Domain,
        [$"Clearinghouse:Providers:{ProviderId}:Domains:1"] = "*." + Domain,
        [$"Clearinghouse:Providers:{ProviderId}:ApiKeySha256:0"] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(ProviderKey))),
        [$"Clearinghouse:Providers:{ProviderId}:WritesPerSecond"] = "0",
        ["Clearinghouse:Operators:ApiKeySha256:0"] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(OperatorKey))),
        ["Clearinghouse:Privacy:RecipientKeySecret"] = RecipientKeySecret,
    };

    /// <summary>A call invoker over several HTTP/2 connections to <paramref name="address"/>, sending <paramref name="apiKey"/>.</summary>
    public static (GrpcChannel Channel, CallInvoker Invoker) Connect(Uri address, string apiKey = ProviderKey)
    {
        var channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler
            {
                EnableMultipleHttp2Connections = true,
                PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
                ConnectTimeout = TimeSpan.FromSeconds(2),
            },
        });
        var invoker = channel.CreateCallInvoker().Intercept(metadata =>
        {
            metadata.Add("authorization", "Bearer " + apiKey);
            return metadata;
        });
        return (channel, invoker);
    }
}
