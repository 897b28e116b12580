using System.Net.Sockets;
using System.Text;
using Clearinghouse.Api.V1;
using Clearinghouse.Gateway.Policy;
using Microsoft.Extensions.DependencyInjection;

namespace Clearinghouse.IntegrationTests.Policy;

/// <summary>The policy delegation protocol's edge cases, against the listener directly over TCP.</summary>
[Collection(PostfixEdgeCollection.Name)]
public class PolicyProtocolTests(PostfixEdgeFixture edge)
{
    private static string Request(string state, string recipient, string sender = "someone@sender.protocol.test", string client = "192.0.2.44") =>
        $"request=smtpd_access_policy\nprotocol_state={state}\nprotocol_name=ESMTP\nclient_address={client}\nhelo_name=mx.sender.protocol.test\n" +
        $"sender={sender}\nrecipient={recipient}\ninstance=1a2b.{Guid.NewGuid():n}.0\ncompatibility_level=3.6\nmail_version=3.7.11\ntls_sni=\n\n";

    [Fact]
    public async Task Many_requests_on_one_connection_each_get_one_action_line_and_an_empty_line()
    {
        var ivan = $"ivan-{Guid.NewGuid():n}@acme.example";
        await edge.Host.Records().AddRecordAsync(new AddRecordRequest { Recipient = ivan, Pattern = "blocked@sender.protocol.test", Action = RecordAction.Reject, Message = "No more" });
        using var client = await Connect(edge.OpenListenerPort);
        for (var i = 0; i < 50; i++)
        {
            await Send(client, Request("RCPT", ivan, i % 2 == 0 ? "blocked@sender.protocol.test" : "fine@sender.protocol.test"));
            Assert.Equal(i % 2 == 0 ? "action=550 5.7.1 No more" : "action=DUNNO", await ReadReply(client));
        }

        // Stages other than CONNECT, HELO/EHLO and RCPT are not decided; neither is a recipient of another provider.
        await Send(client, Request("DATA", ivan, "blocked@sender.protocol.test"));
        Assert.Equal("action=DUNNO", await ReadReply(client));
        await Send(client, Request("END-OF-MESSAGE", ivan, "blocked@sender.protocol.test"));
        Assert.Equal("action=DUNNO", await ReadReply(client));
        await Send(client, Request("RCPT", "someone@other.example", "blocked@sender.protocol.test"));
        Assert.Equal("action=DUNNO", await ReadReply(client));
    }

    [Fact]
    public async Task The_connection_verdict_of_EHLO_stands_at_RCPT_only_until_the_list_changes()
    {
        // The listener remembers the EHLO's connection verdict for the connection; a listing (or unlisting) of the
        // client between two requests must still be answered by the next one.
        var liz = $"liz-{Guid.NewGuid():n}@acme.example";
        const string Client = "192.0.2.61";
        using var connection = await Connect(edge.OpenListenerPort);
        await Send(connection, Request("EHLO", "", client: Client));
        Assert.Equal("action=DUNNO", await ReadReply(connection));
        await Send(connection, Request("RCPT", liz, client: Client));
        Assert.Equal("action=DUNNO", await ReadReply(connection));

        await edge.ListAsync(FilterEntryKind.Ip, Client, "listed between two recipients");
        try
        {
            await Send(connection, Request("RCPT", liz, client: Client));
            Assert.Equal($"action=554 5.7.1 {Clearinghouse.Gateway.Verdicts.ConnectionVerdict.ListedRejectText}", await ReadReply(connection));
        }
        finally
        {
            await edge.UnlistAsync(FilterEntryKind.Ip, Client);
        }

        await Send(connection, Request("RCPT", liz, client: Client));
        Assert.Equal("action=DUNNO", await ReadReply(connection));
    }

    [Fact]
    public async Task Pipelined_requests_and_requests_split_into_single_bytes_are_answered_in_order()
    {
        var judy = $"judy-{Guid.NewGuid():n}@acme.example";
        await edge.Host.Records().AddRecordAsync(new AddRecordRequest { Recipient = judy, Pattern = "blocked@sender.protocol.test", Action = RecordAction.Defer, Message = "Later" });
        using var client = await Connect(edge.OpenListenerPort);
        await Send(client, Request("RCPT", judy, "blocked@sender.protocol.test") + Request("RCPT", judy) + Request("CONNECT", ""));
        Assert.Equal("action=DEFER_IF_PERMIT 4.7.1 Later", await ReadReply(client));
        Assert.Equal("action=DUNNO", await ReadReply(client));
        Assert.Equal("action=DUNNO", await ReadReply(client));

        foreach (var b in Encoding.UTF8.GetBytes(Request("RCPT", judy, "blocked@sender.protocol.test")))
        {
            await client.GetStream().WriteAsync(new[] { b });
            await client.GetStream().FlushAsync();
        }

        Assert.Equal("action=DEFER_IF_PERMIT 4.7.1 Later", await ReadReply(client));
    }

    [Theory]
    [InlineData("no equals sign\n\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: policy\r\n\r\n")]
    [InlineData("protocol_state=RCPT\n\n")]
    public async Task A_malformed_request_closes_its_connection_without_a_reply_and_others_are_served_on(string junk)
    {
        using var other = await Connect(edge.OpenListenerPort);
        using var bad = await Connect(edge.OpenListenerPort);
        await Send(bad, junk);
        Assert.Equal(0, await ReadToEnd(bad));

        await Send(other, Request("RCPT", $"kim-{Guid.NewGuid():n}@acme.example"));
        Assert.Equal("action=DUNNO", await ReadReply(other));
    }

    [Fact]
    public async Task Overlong_lines_binary_junk_and_too_many_attributes_close_the_connection()
    {
        using (var overlong = await Connect(edge.OpenListenerPort))
        {
            await Send(overlong, "request=smtpd_access_policy\nsender=" + new string('a', 10_000));
            Assert.Equal(0, await ReadToEnd(overlong));
        }

        using (var binary = await Connect(edge.OpenListenerPort))
        {
            var junk = new byte[4096];
            new Random(1).NextBytes(junk);
            junk[100] = (byte)'\n';
            await binary.GetStream().WriteAsync(junk);
            Assert.Equal(0, await ReadToEnd(binary));
        }

        using (var many = await Connect(edge.OpenListenerPort))
        {
            await Send(many, "request=smtpd_access_policy\n" + string.Concat(Enumerable.Range(0, 150).Select(i => $"x{i}=y\n")) + "\n");
            Assert.Equal(0, await ReadToEnd(many));
        }

        using var fine = await Connect(edge.OpenListenerPort);
        await Send(fine, Request("RCPT", $"leo-{Guid.NewGuid():n}@acme.example"));
        Assert.Equal("action=DUNNO", await ReadReply(fine));
    }

    [Fact]
    public async Task A_client_outside_the_allowed_networks_is_closed_at_once()
    {
        using var client = await Connect(edge.FencedListenerPort);
        await Send(client, Request("RCPT", "someone@acme.example"), ignoreErrors: true);
        Assert.Equal(0, await ReadToEnd(client));
    }

    [Fact]
    public async Task An_idle_connection_is_closed_after_the_idle_timeout_and_thousands_of_connections_are_served()
    {
        var listener = edge.Host.Services.GetRequiredService<PolicyListener>();
        using var idle = await Connect(edge.OpenListenerPort);
        var opened = DateTime.UtcNow;
        Assert.Equal(0, await ReadToEnd(idle));
        Assert.InRange(DateTime.UtcNow - opened, TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(30));

        var clients = new List<TcpClient>();
        try
        {
            for (var i = 0; i < 2000; i++)
            {
                clients.Add(await Connect(edge.OpenListenerPort));
            }

            var recipient = $"mia-{Guid.NewGuid():n}@acme.example";
            await Task.WhenAll(clients.Select(async c =>
            {
                await Send(c, Request("RCPT", recipient));
                Assert.Equal("action=DUNNO", await ReadReply(c));
            }));
            Assert.True(listener.OpenConnections >= 2000, $"{listener.OpenConnections} connections open");
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }

    [Fact]
    public async Task A_connection_in_use_for_longer_than_the_idle_timeout_stays_open_and_is_closed_once_idle()
    {
        // The fixture's idle timeout is 5 s: a request every 1.5 s for 9 s must keep the connection open (idle time
        // counts from the last request, not from the connection's opening), and silence afterwards must close it.
        var recipient = $"nia-{Guid.NewGuid():n}@acme.example";
        using var client = await Connect(edge.OpenListenerPort);
        for (var i = 0; i < 7; i++)
        {
            await Send(client, Request("RCPT", recipient));
            Assert.Equal("action=DUNNO", await ReadReply(client));
            await Task.Delay(TimeSpan.FromSeconds(1.5));
        }

        var quiet = DateTime.UtcNow;
        Assert.Equal(0, await ReadToEnd(client));
        Assert.InRange(DateTime.UtcNow - quiet, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(30));
    }

    private static async Task<TcpClient> Connect(int port)
    {
        var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port);
        client.ReceiveTimeout = 30_000;
        return client;
    }

    private static async Task Send(TcpClient client, string text, bool ignoreErrors = false)
    {
        try
        {
            await client.GetStream().WriteAsync(Encoding.UTF8.GetBytes(text));
        }
        catch (IOException) when (ignoreErrors)
        {
        }
    }

    // One reply: "action=..." then an empty line, nothing else.
    private static async Task<string> ReadReply(TcpClient client)
    {
        var bytes = new List<byte>();
        var one = new byte[1];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (bytes.Count < 2 || bytes[^1] != '\n' || bytes[^2] != '\n')
        {
            if (await client.GetStream().ReadAsync(one, timeout.Token) == 0)
            {
                throw new IOException("the listener closed the connection: " + Encoding.UTF8.GetString([.. bytes]));
            }

            bytes.Add(one[0]);
        }

        var text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString([.. bytes]);
        Assert.Equal(2, text.Count(c => c == '\n'));
        return text[..^2];
    }

    // Reads until the listener closes the connection; returns how many bytes it sent first.
    private static async Task<int> ReadToEnd(TcpClient client)
    {
        var total = 0;
        var buffer = new byte[1024];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            int read;
            while ((read = await client.GetStream().ReadAsync(buffer, timeout.Token)) > 0)
            {
                total += read;
            }
        }
        catch (IOException)
        {
        }

        return total;
    }
}
