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

    /// <summary>
    /// A second provider with a domain of its own: a sender is listed only on reports from at least two providers, so
    /// runs that need filter-list changes report through both.
    /// </summary>
    public const string SecondProviderId = "harness-b";
    public const string SecondProviderKey = "harness-b-provider-key";
    public const string SecondDomain = "harness-b.example";

    /// <summary>The operator's key, for reading back what a run wrote through the operator API.</summary>
    public const string OperatorKey = "harness-operator-key";

    /// <summary>Shared by every silo of a run: recipient grains are keyed by a keyed hash with it.</summary>
    public const string RecipientKeySecret = "harness-recipient-key-secret";

    /// <summary>The providers, the recipient key secret, and no write limit (runs measure other things).</summary>
    public static Dictionary<string, string> Settings() => new()
    {
        [$"Clearinghouse:Providers:{ProviderId}:Domains:0"] = Domain,
        [$"Clearinghouse:Providers:{ProviderId}:Domains:1"] = "*." + Domain,
        [$"Clearinghouse:Providers:{ProviderId}:ApiKeySha256:0"] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(ProviderKey))),
        [$"Clearinghouse:Providers:{ProviderId}:WritesPerSecond"] = "0",
        [$"Clearinghouse:Providers:{SecondProviderId}:Domains:0"] = SecondDomain,
        [$"Clearinghouse:Providers:{SecondProviderId}:ApiKeySha256:0"] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(SecondProviderKey))),
        [$"Clearinghouse:Providers:{SecondProviderId}:WritesPerSecond"] = "0",
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
        return (channel, Authenticated(channel, apiKey));
    }

    /// <summary>A call invoker over <paramref name="channel"/> that sends <paramref name="apiKey"/>.</summary>
    public static CallInvoker Authenticated(GrpcChannel channel, string apiKey) =>
        channel.CreateCallInvoker().Intercept(metadata =>
        {
            metadata.Add("authorization", "Bearer " + apiKey);
            return metadata;
        });
}
