using Clearinghouse.Gateway.Security;

namespace Clearinghouse.IntegrationTests.Infrastructure;

/// <summary>Two providers and an operator, configured on every test host.</summary>
public static class TestTenants
{
    public const string AcmeKey = "acme-test-key";
    public const string AcmeDomain = "acme.example";
    public const string OtherKey = "other-test-key";
    public const string OtherDomain = "other.example";
    /// <summary>The unnamed operator (the older configuration form: its key hash directly under Clearinghouse:Operators).</summary>
    public const string OperatorKey = "operator-test-key";

    /// <summary>A named operator, alice (Clearinghouse:Operators:alice): the audit trail records it by that name.</summary>
    public const string AliceKey = "alice-operator-test-key";

    /// <summary>The recipient key secret of every test host (and of the test cluster).</summary>
    public const string RecipientKeySecret = "integration-test-recipient-key-secret";

    /// <summary>The grain key of <paramref name="recipient"/> on test hosts and the test cluster.</summary>
    public static string RecipientKey(string recipient) =>
        new Clearinghouse.Domain.RecipientKeys(RecipientKeySecret).For(Clearinghouse.Domain.Address.Parse(recipient, "recipient"));

    public static Dictionary<string, string?> Settings() => new()
    {
        ["Clearinghouse:Providers:acme:Domains:0"] = AcmeDomain,
        ["Clearinghouse:Providers:acme:Domains:1"] = "*." + AcmeDomain,
        ["Clearinghouse:Providers:acme:ApiKeySha256:0"] = CallerDirectory.HashKey(AcmeKey),
        ["Clearinghouse:Providers:other:Domains:0"] = OtherDomain,
        ["Clearinghouse:Providers:other:ApiKeySha256:0"] = CallerDirectory.HashKey(OtherKey),
        ["Clearinghouse:Operators:ApiKeySha256:0"] = CallerDirectory.HashKey(OperatorKey),
        ["Clearinghouse:Operators:alice:ApiKeySha256:0"] = CallerDirectory.HashKey(AliceKey),
    };
}
