using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Clearinghouse.Api.V1;

namespace Clearinghouse.IntegrationTests;

/// <summary>The built silo started as the README says: from any directory, and with bad configuration.</summary>
public class SiloStartTests
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    public static TheoryData<string, Dictionary<string, string>> ConfigurationErrors => new()
    {
        { "Clearinghouse:Privacy:RecipientKeySecret", new() { ["Clearinghouse:Storage"] = "Redis", ["Clearinghouse:Privacy:RecipientKeySecret"] = "" } },
        { "Clearinghouse:Privacy:RecipientKeySecret", new() { ["Clearinghouse:Privacy:RecipientKeySecret"] = "too-short" } },
        { "Clearinghouse:Cluster:ShutdownTimeout", new() { ["Clearinghouse:Cluster:ShutdownTimeout"] = "soon" } },
        { "Clearinghouse:Cluster:AdvertisedAddress", new() { ["Clearinghouse:Storage"] = "Redis", ["Clearinghouse:Cluster:AdvertisedAddress"] = "pod.example" } },
        { "Kestrel:Endpoints:Grpc:Protocols=Http2", new() { ["Kestrel:Endpoints:Grpc:Protocols"] = "Http1AndHttp2" } },
        { "Clearinghouse:Management:Port", new() { ["Clearinghouse:Telemetry:Prometheus"] = "true" } },
        { "Clearinghouse:Dns:Servers", new() { ["Clearinghouse:Dns:Servers:0"] = "resolver.example" } },
    };

    [Fact]
    public async Task A_silo_started_from_another_directory_loads_its_settings_serves_gRPC_and_its_banner_tells_which_port_is_which()
    {
        var elsewhere = Directory.CreateTempSubdirectory("clearinghouse-cwd-").FullName;
        try
        {
            var managementPort = FreePort.Next().ToString(CultureInfo.InvariantCulture);
            var settings = HarnessTenant.Settings();
            settings["Clearinghouse:Management:Port"] = managementPort;

            // No Protocols setting: HTTP/2 on the plaintext endpoint comes from the appsettings.json beside the dll.
            await using var silo = await SiloProcess.StartAsync(SiloBinary.Locate(), settings, StartTimeout, workingDirectory: elsewhere);
            var (channel, invoker) = HarnessTenant.Connect(silo.Address);
            using (channel)
            {
                var recipient = $"elsewhere@{HarnessTenant.Domain}";
                await new Records.RecordsClient(invoker).AddRecordAsync(new AddRecordRequest { Recipient = recipient, Pattern = "spam.example", Action = RecordAction.Reject });
                var verdict = await new Verdicts.VerdictsClient(invoker).CheckRecipientAsync(new CheckRecipientRequest { Recipient = recipient, Sender = "a@spam.example" });
                Assert.Equal(VerdictAction.Reject, verdict.Action);
            }

            var banner = silo.RecentOutput;
            var grpcLine = banner.Split('\n').Single(line => line.Contains("gRPC (HTTP/2) listening on", StringComparison.Ordinal));
            Assert.Contains($"http://127.0.0.1:{silo.Address.Port}", grpcLine);
            Assert.DoesNotContain(managementPort, grpcLine);
            Assert.Contains($"Management (HTTP/1.1: /health/live, /health/ready, /metrics) listening on http://127.0.0.1:{managementPort}", banner);
        }
        finally
        {
            Directory.Delete(elsewhere, recursive: true);
        }
    }

    // Both modes of .NET's socket completions, in the process as shipped: gRPC, and a Postfix policy connection that asks
    // twice (the listener's receive continuation is what runs on the socket event thread). null removes the variable
    // from the silo's environment, so that the silo chooses.
    [Theory]
    [InlineData(null, "on the socket event threads (DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1)")]
    [InlineData("0", "on the thread pool (DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=0)")]
    public async Task A_silo_runs_socket_completions_inline_unless_its_environment_says_0_and_answers_gRPC_and_Postfix_either_way(string? variable, string where)
    {
        var policyPort = FreePort.Next();
        var settings = HarnessTenant.Settings();
        settings["Clearinghouse:Policy:Listeners:mx:Port"] = policyPort.ToString(CultureInfo.InvariantCulture);
        settings["Clearinghouse:Policy:Listeners:mx:Provider"] = HarnessTenant.ProviderId;
        // No resolver here: SPF lookups go to a loopback port nothing listens on, and fail at once.
        settings["Clearinghouse:Dns:Servers:0"] = "127.0.0.1";
        settings["Clearinghouse:Dns:Port"] = FreePort.Next().ToString(CultureInfo.InvariantCulture);
        var environment = new Dictionary<string, string?> { ["DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS"] = variable };
        await using var silo = await SiloProcess.StartAsync(SiloBinary.Locate(), settings, StartTimeout, environment: environment);
        var recipient = $"completions@{HarnessTenant.Domain}";
        var (channel, invoker) = HarnessTenant.Connect(silo.Address);
        using (channel)
        {
            await new Records.RecordsClient(invoker).AddRecordAsync(new AddRecordRequest { Recipient = recipient, Pattern = "blocked@sender.example", Action = RecordAction.Reject, Message = "No more" });
            var verdict = await new Verdicts.VerdictsClient(invoker).CheckRecipientAsync(new CheckRecipientRequest { Recipient = recipient, Sender = "blocked@sender.example" });
            Assert.Equal(VerdictAction.Reject, verdict.Action);
        }

        using var postfix = new TcpClient();
        await postfix.ConnectAsync(IPAddress.Loopback, policyPort);
        var stream = postfix.GetStream();
        using var reader = new StreamReader(stream, new UTF8Encoding(false));
        foreach (var (sender, expected) in new[] { ("blocked@sender.example", "action=550 5.7.1 No more"), ("fine@sender.example", "action=DUNNO") })
        {
            var request = $"request=smtpd_access_policy\nprotocol_state=RCPT\nprotocol_name=ESMTP\nclient_address=192.0.2.44\nhelo_name=mx.sender.example\nsender={sender}\nrecipient={recipient}\n\n";
            await stream.WriteAsync(Encoding.UTF8.GetBytes(request));
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            Assert.Equal(expected, await reader.ReadLineAsync(timeout.Token));
            Assert.Equal("", await reader.ReadLineAsync(timeout.Token));
        }

        Assert.Contains($"Socket completions run {where}", silo.RecentOutput);
    }

    [Theory]
    [MemberData(nameof(ConfigurationErrors))]
    public async Task A_configuration_error_stops_the_start_with_exit_code_1_and_a_message_naming_the_setting(string named, Dictionary<string, string> spoil)
    {
        var settings = HarnessTenant.Settings();
        foreach (var (key, value) in spoil)
        {
            settings[key] = value;
        }

        var (exitCode, output) = await SiloProcess.RunUntilExitAsync(SiloBinary.Locate(), settings, StartTimeout);

        Assert.True(exitCode == 1, $"exit code {exitCode}: {output}");
        var message = output.Split('\n').Single(line => line.StartsWith("Clearinghouse did not start:", StringComparison.Ordinal));
        Assert.Contains(named, message);
        Assert.DoesNotContain("Unhandled exception", output);
    }

    [Fact]
    public async Task A_gRPC_port_in_use_stops_the_start_with_exit_code_1_and_says_so()
    {
        using var occupant = new TcpListener(IPAddress.Loopback, 0);
        occupant.Start();
        var settings = HarnessTenant.Settings();
        settings["Kestrel:Endpoints:Grpc:Url"] = $"http://127.0.0.1:{((IPEndPoint)occupant.LocalEndpoint).Port}";

        var (exitCode, output) = await SiloProcess.RunUntilExitAsync(SiloBinary.Locate(), settings, StartTimeout);

        Assert.True(exitCode == 1, $"exit code {exitCode}: {output}");
        Assert.Contains("Clearinghouse did not start:", output);
        Assert.Contains("address already in use", output);
        Assert.DoesNotContain("Unhandled exception", output);
    }
}
