using Clearinghouse.Api.V1;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Reflection.V1Alpha;

namespace Clearinghouse.IntegrationTests;

[Collection(HostCollection.Name)]
public class AccessTests(HostFixture fixture)
{
    private readonly string recipient = $"user-{Guid.NewGuid():N}@{TestTenants.AcmeDomain}";

    [Fact]
    public async Task A_call_without_a_credential_is_refused()
    {
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await fixture.Host.Verdicts(apiKey: null).CheckRecipientAsync(new CheckRecipientRequest { Sender = "a@b.example", Recipient = recipient }));
        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
    }

    [Fact]
    public async Task An_unknown_key_is_refused()
    {
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await fixture.Host.Records(apiKey: "guessed").ListRecordsAsync(new ListRecordsRequest { Recipient = recipient }));
        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
    }

    [Fact]
    public async Task Another_providers_key_cannot_read_or_change_these_recipients()
    {
        var acme = fixture.Host.Records();
        await acme.AddRecordAsync(new AddRecordRequest { Recipient = recipient, Pattern = "spam@example.com", Action = RecordAction.Reject });
        var other = fixture.Host.Records(TestTenants.OtherKey);

        var add = await Assert.ThrowsAsync<RpcException>(async () => await other.AddRecordAsync(new AddRecordRequest { Recipient = recipient, Pattern = "friend@example.com", Action = RecordAction.Allow }));
        Assert.Equal(StatusCode.PermissionDenied, add.StatusCode);
        var list = await Assert.ThrowsAsync<RpcException>(async () => await other.ListRecordsAsync(new ListRecordsRequest { Recipient = recipient }));
        Assert.Equal(StatusCode.PermissionDenied, list.StatusCode);
        var check = await Assert.ThrowsAsync<RpcException>(async () => await fixture.Host.Verdicts(TestTenants.OtherKey).CheckRecipientAsync(new CheckRecipientRequest { Sender = "spam@example.com", Recipient = recipient }));
        Assert.Equal(StatusCode.PermissionDenied, check.StatusCode);

        var stored = await acme.ListRecordsAsync(new ListRecordsRequest { Recipient = recipient });
        Assert.Equal("spam@example.com", stored.Records.Single().Pattern);
    }

    [Fact]
    public async Task Health_is_served_without_a_credential()
    {
        var health = new Health.HealthClient(fixture.Host.Invoker(apiKey: null));
        var response = await health.CheckAsync(new HealthCheckRequest());
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, response.Status);
    }

    [Fact]
    public async Task Reflection_lists_the_services()
    {
        var reflection = new ServerReflection.ServerReflectionClient(fixture.Host.Invoker(apiKey: null));
        using var call = reflection.ServerReflectionInfo();
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        var services = call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToList();
        Assert.Contains("clearinghouse.v1.Verdicts", services);
        Assert.Contains("clearinghouse.v1.Records", services);
    }

    [Fact]
    public async Task Ping_names_the_provider_the_key_belongs_to()
    {
        var ping = await new Diagnostics.DiagnosticsClient(fixture.Host.Invoker(TestTenants.OtherKey)).PingAsync(new PingRequest());
        Assert.Equal("other", ping.Provider);
    }
}
